"""Agent lifecycle against a real herald, checked with other people's code.

* MCPS passports with the reference implementation ``mcps-secure`` (PyPI): signature with the
  trust-authority PEM, format, effective trust level, and ``check_revocation`` before and
  after ``herald kill``.
* The token status list decoded here, from the RFC/draft text only (base64url, zlib, 2-bit
  little-end packing), with the JWT verified by PyJWT against the JWKS.
* The kill switch through the real CLI: the token request made right after ``herald kill``
  returns is denied, with no sleep in between.
* JWT passports and introspection with PyJWT/requests.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import zlib

import jwt
import mcp_secure
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import herald_binary
from herald_helpers import _find_client, client_secret

REALM = "acme"


@pytest.fixture(scope="module")
def herald(start_herald):
    return start_herald()


@pytest.fixture(scope="module")
def cli(herald, tmp_path_factory):
    """Runs the real `herald` CLI, logged in to this instance's admin API."""
    home = tmp_path_factory.mktemp("cli-home")
    env = dict(os.environ, XDG_CONFIG_HOME=str(home), HOME=str(home))

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(herald_binary()), *args], env=env, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"herald {' '.join(args)} exited {result.returncode}: {result.stderr}{result.stdout}")
        return result

    run("login", "--server", herald.base, "--credentials", str(herald.data_dir / "admin-credentials"))
    return run


def token(herald, client_id: str) -> requests.Response:
    """A client_credentials token, sent the way the client is registered (Basic or post)."""
    secret = client_secret(client_id)
    if _find_client(client_id)[1]["auth"] == "client_secret_post":
        return requests.post(herald.token_endpoint(REALM), timeout=10,
                             data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    return requests.post(herald.token_endpoint(REALM), auth=(client_id, secret),
                         data={"grant_type": "client_credentials"}, timeout=10)


def jwks(herald) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(requests.get(f"{herald.issuer(REALM)}/.well-known/agent-trust-keys", timeout=10).json())


def verify_jwt(herald, compact: str, typ: str, audience: str | None = None) -> dict:
    header = jwt.get_unverified_header(compact)
    assert header["typ"] == typ
    key = next(k for k in jwks(herald).keys if k.key_id == header["kid"])
    options = {"verify_aud": audience is not None}
    return jwt.decode(compact, key.key, algorithms=[header["alg"]], audience=audience, issuer=herald.issuer(REALM),
                      options=options)


def agent_key() -> tuple[str, dict]:
    """A fresh agent key pair: (private PEM, public JWK) — through mcps-secure's own helpers."""
    pair = mcp_secure.generate_key_pair()
    return pair["private_key"], mcp_secure.public_key_to_jwk(pair["public_key"])


def passport(herald, client_id: str, agent_id: str, fmt: str, public_jwk: dict) -> requests.Response:
    access = token(herald, client_id).json()["access_token"]
    return requests.post(f"{herald.issuer(REALM)}/agents/{agent_id}/passport", params={"format": fmt},
                         headers={"Authorization": f"Bearer {access}"},
                         json={"public_key": public_jwk, "agent": {"version": "1.2.3", "capabilities": ["quote"]},
                               "origin": "https://procurement.acme.test"}, timeout=10)


def ta_pem(herald) -> str:
    body = requests.get(f"{herald.issuer(REALM)}/api/ta/public-key", timeout=10).json()
    assert body["jwk"]["kty"] == "EC" and body["jwk"]["crv"] == "P-256"
    return body["pem"]


def status_list_value(herald, index: int) -> int:
    """Fetches the realm's status list and reads entry `index`, decoding it by the spec."""
    resp = requests.get(f"{herald.issuer(REALM)}/statuslists/1", timeout=10)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/statuslist+jwt")
    claims = verify_jwt(herald, resp.text, "statuslist+jwt")
    assert claims["sub"] == f"{herald.issuer(REALM)}/statuslists/1"
    assert isinstance(claims["ttl"], int) and claims["exp"] > claims["iat"]
    status_list = claims["status_list"]
    assert status_list["bits"] == 2
    encoded = status_list["lst"]
    packed = zlib.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    bit = index * 2
    return (packed[bit // 8] >> (bit % 8)) & 0b11


def status_index(access_token: str) -> int:
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return claims["status"]["status_list"]["idx"]


def test_mcps_passport_passes_the_reference_implementation(herald, cli):
    _, public_jwk = agent_key()
    resp = passport(herald, "procurement-bot", "agent-procurement", "mcps", public_jwk)
    assert resp.status_code == 200, resp.text
    p = resp.json()
    pem = ta_pem(herald)
    issuer = herald.issuer(REALM)

    assert mcp_secure.verify_passport_signature(p, pem) is True
    assert mcp_secure.validate_passport_format(p) == {"valid": True, "error": None}
    assert mcp_secure.get_effective_trust_level(p, [issuer]) == 2
    assert mcp_secure.get_effective_trust_level(p, ["https://someone.else"]) == 0
    assert mcp_secure.validate_origin(p, "https://procurement.acme.test")["valid"] is True
    assert p["public_key"] == public_jwk and p["issuer"] == issuer and p["mcps_version"] == "1.0"

    # A changed field breaks the signature for the reference verifier too.
    tampered = dict(p, trust_level=4)
    assert mcp_secure.verify_passport_signature(tampered, pem) is False

    before = mcp_secure.check_revocation(p["passport_id"], issuer, pem)
    assert before["verified"] is True and before["revoked"] is False and before["status"] == "VALID"

    cli("kill", "agent", "agent-procurement", "--reason", "interop kill", "--realm", REALM)
    after = mcp_secure.check_revocation(p["passport_id"], issuer, pem)
    assert after["verified"] is True and after["revoked"] is True and after["reason"] == "interop kill"

    cli("revive", "agent", "agent-procurement", "--realm", REALM)
    again = mcp_secure.check_revocation(p["passport_id"], issuer, pem)
    assert again["verified"] is True and again["revoked"] is False

    unknown = mcp_secure.check_revocation("asp_" + "0" * 32, issuer, pem)
    assert unknown["verified"] is True and unknown["status"] == "UNKNOWN"


def test_token_right_after_kill_is_denied_and_status_list_shows_it(herald, cli):
    first = token(herald, "payments-bot")
    assert first.status_code == 200, first.text
    access = first.json()["access_token"]
    index = status_index(access)
    assert status_list_value(herald, index) == 0

    cli("kill", "agent", "agent-payments", "--reason", "runaway spend", "--realm", REALM)
    # No sleep: the very next request after the command returns.
    denied = token(herald, "payments-bot")
    assert denied.status_code == 400 and denied.json()["error"] == "unauthorized_client"
    assert status_list_value(herald, index) == 2  # SUSPENDED
    introspected = requests.post(f"{herald.issuer(REALM)}/protocol/openid-connect/token/introspect",
                                 auth=("screening-bot", client_secret("screening-bot")), data={"token": access},
                                 timeout=10).json()
    assert introspected == {"active": False}
    gate = requests.post(f"{herald.issuer(REALM)}/mcp/verify", auth=("screening-bot", client_secret("screening-bot")),
                         json={"agent_id": "agent-payments", "mcp_server_id": "payments-mcp", "tool_name": "charge"},
                         timeout=10).json()
    assert gate["decision"] == "DENY" and "status" in gate["checks_failed"]

    cli("revive", "agent", "agent-payments", "--realm", REALM)
    assert token(herald, "payments-bot").status_code == 200
    assert status_list_value(herald, index) == 0


def test_org_kill_stops_the_whole_organisation(herald, cli):
    cli("kill", "org", "finance", "--reason", "incident 42", "--realm", REALM)
    try:
        for client_id in ("procurement-bot", "payments-bot", "treasury-bot"):
            assert token(herald, client_id).status_code == 400, client_id
        assert token(herald, "screening-bot").status_code == 200  # compliance is not finance
    finally:
        cli("revive", "org", "finance", "--realm", REALM)
    assert token(herald, "treasury-bot").status_code == 200


def test_jwt_passport_and_introspection(herald):
    _, public_jwk = agent_key()
    resp = passport(herald, "treasury-bot", "agent-treasury", "jwt", public_jwk)
    assert resp.status_code == 200, resp.text
    claims = verify_jwt(herald, resp.json()["passport"], "agent-passport+jwt")
    assert claims["sub"] == "agent-treasury" and claims["jti"].startswith("asp_") and len(claims["jti"]) == 36
    assert claims["trust_level"] == 4 and claims["cnf"]["jwk"] == public_jwk
    assert claims["agent"] == {"name": "Treasury Bot", "version": "1.2.3", "capabilities": ["quote"]}
    assert claims["status"]["status_list"]["uri"] == f"{herald.issuer(REALM)}/statuslists/1"
    assert isinstance(claims["trust_score"], int) and claims["pipeline_stage"] == "INTAKE"

    access = token(herald, "treasury-bot").json()["access_token"]
    mcps = jwt.decode(access, options={"verify_signature": False})["mcps"]
    assert set(mcps) == {"trust_level", "trust_label", "payment_enabled", "tx_limit", "day_limit", "scopes",
                         "trust_score", "pipeline_stage"}
    answer = requests.post(f"{herald.issuer(REALM)}/protocol/openid-connect/token/introspect",
                           auth=("screening-bot", client_secret("screening-bot")), data={"token": access},
                           timeout=10).json()
    assert answer["active"] is True and answer["sub"] == "agent-treasury" and answer["mcps"] == mcps


def test_agent_signs_an_mcp_message_that_mcps_secure_verifies_with_the_passport_key(herald):
    """The passport binds the agent's key; a message signed with it verifies for an MCPS server."""
    private_pem, public_jwk = agent_key()
    p = passport(herald, "procurement-bot", "agent-procurement", "mcps", public_jwk).json()
    message = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "quote", "arguments": {}}}
    envelope = mcp_secure.sign_message(message, p["passport_id"], private_pem)
    agent_public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(p["public_key"]["x"] + "=="), "big"),
        int.from_bytes(base64.urlsafe_b64decode(p["public_key"]["y"] + "=="), "big"), ec.SECP256R1()).public_key()
    pem = agent_public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert mcp_secure.verify_message(envelope, pem)["valid"] is True
