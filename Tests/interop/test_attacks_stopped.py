"""Attack corpus, surface 7: credentials that were genuine and are no longer — a killed
agent's token and passports, and tokens signed by a key that was revoked — and the status
list a relying party reads to learn it (draft-ietf-oauth-status-list), checked with
third-party JOSE libraries: it verifies with the JWKS, and tampering is detected.

These cases change state, so they use their own agent (``agent-victim``) and their own
realm (``atkkeys``, whose signing key is revoked here).
"""

from __future__ import annotations

import base64
import zlib

import jwt as pyjwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

import forge
from attack_world import World
from herald_helpers import assert_oauth_error, describe, ec_public_jwk

GATE_QUERY = {"mcp_server_id": "database-mcp", "tool_name": "query"}


def _passport(w: World, token: str, agent: str, fmt: str, realm: str = "atk") -> requests.Response:
    return requests.post(f"{w.issuer(realm)}/agents/{agent}/passport", params={"format": fmt},
                         headers={"Authorization": f"Bearer {token}"},
                         json={"public_key": ec_public_jwk(ec.generate_private_key(ec.SECP256R1()))}, timeout=10)


def _status(w: World, realm: str, index: int) -> int:
    text = requests.get(f"{w.issuer(realm)}/statuslists/1", timeout=10).text
    jwks = requests.get(f"{w.issuer(realm)}/.well-known/agent-trust-keys", timeout=10).json()
    key = next(k for k in pyjwt.PyJWKSet.from_dict(jwks).keys if k.key_id == forge.header_of(text)["kid"])
    claims = pyjwt.decode(text, key.key, algorithms=[forge.header_of(text)["alg"]], options={"verify_aud": False})
    packed = zlib.decompress(base64.urlsafe_b64decode(claims["status_list"]["lst"] + "=="))
    return (packed[index // 4] >> (2 * (index % 4))) & 3


@pytest.fixture(scope="module")
def killed(attack_world: World):
    """agent-victim's token, JWT and MCPS passports, taken before the agent is killed."""
    w = attack_world
    token = w.token("atk-victim")
    jwt_passport = _passport(w, token, "agent-victim", "jwt").json()["passport"]
    mcps_passport = _passport(w, token, "agent-victim", "mcps").json()
    killed = w.admin.call("POST", "atk/agents/agent-victim/kill", {"reason": "attack corpus"})
    assert killed.status_code == 200, killed.text
    yield token, jwt_passport, mcps_passport
    w.admin.call("POST", "atk/agents/agent-victim/revive")


def test_killed_agents_token_at_introspection(attack_world: World, killed):
    assert attack_world.introspect(killed[0]).json() == {"active": False}


def test_killed_agents_token_at_the_gate(attack_world: World, killed):
    w = attack_world
    mark = w.mark()
    answer = w.gate({"token": killed[0], **GATE_QUERY}).json()
    assert answer["decision"] == "DENY" and "status" in answer["checks_failed"], answer
    assert answer["agent_id"] == "agent-victim" and answer["trust_level"] == 0, answer
    entries = w.entries_after(mark, "mcp.decision")
    assert len(entries) == 1 and entries[0]["agent"] == "agent-victim" and "status" in entries[0]["detail"]["failed"]


def test_killed_agents_token_at_exchange(attack_world: World, killed):
    """RFC 8693 with a stopped subject: 400 unauthorized_client (wire-formats), audited."""
    w = attack_world
    mark = w.mark()
    body = assert_oauth_error(w.exchange(killed[0]), 400, "unauthorized_client")
    # the operator's kill reason stays internal: in the audit entry, not the answer
    assert body["error_description"] == "no token for agent agent-victim: the agent is stopped by the kill switch"
    denied = w.entries_after(mark, "token.denied")
    assert [e["detail"] for e in denied] == [{"error": "unauthorized_client"}]
    assert "attack corpus" in denied[0]["reason"], denied


def test_killed_agent_gets_no_new_token(attack_world: World, killed):
    w = attack_world
    mark = w.mark()
    r = requests.post(w.token_endpoint(), auth=w.basic("atk-victim"), data={"grant_type": "client_credentials"},
                      timeout=10)
    assert_oauth_error(r, 400, "unauthorized_client")
    assert [e["detail"] for e in w.entries_after(mark, "token.denied")] == [{"error": "unauthorized_client"}]


def test_killed_agents_token_as_a_credential(attack_world: World, killed):
    """As the gate's Bearer caller: 403 access_denied (the calling agent is stopped); at the
    passport endpoint: 403 access_denied."""
    w = attack_world
    r = requests.post(w.gate_url(), headers={"Authorization": f"Bearer {killed[0]}"}, timeout=10,
                      json={"agent_id": "agent-bob", **GATE_QUERY})
    assert_oauth_error(r, 403, "access_denied")
    assert_oauth_error(_passport(w, killed[0], "agent-victim", "jwt"), 403, "access_denied")


def test_killed_agents_passports_at_the_gate(attack_world: World, killed):
    w = attack_world
    for passport in killed[1:]:
        answer = w.gate({"passport": passport, **GATE_QUERY}).json()
        assert answer["decision"] == "DENY" and "status" in answer["checks_failed"], answer


def test_killed_agents_passport_at_api_verify(attack_world: World, killed):
    import mcp_secure
    w = attack_world
    pem = requests.get(w.issuer() + "/api/ta/public-key", timeout=10).json()["pem"]
    result = mcp_secure.check_revocation(killed[2]["passport_id"], w.issuer(), pem)
    assert result["verified"] is True and result["revoked"] is True and result["reason"] == "attack corpus", result


def test_killed_agent_in_the_status_list(attack_world: World, killed):
    """The token's status reference says SUSPENDED (2) in the list a relying party reads."""
    w = attack_world
    index = forge.claims_of(killed[0])["status"]["status_list"]["idx"]
    assert _status(w, "atk", index) == 2


# -- a revoked signing key --------------------------------------------------------------------

@pytest.fixture(scope="module")
def revoked_key(attack_world: World):
    """A token and passport of realm atkkeys signed by its active key, which is then revoked."""
    w = attack_world
    token = w.token("keys-bot", realm="atkkeys")
    passport = _passport(w, token, "agent-k", "jwt", realm="atkkeys").json()["passport"]
    kid = forge.header_of(token)["kid"]
    r = w.admin.call("POST", f"atkkeys/keys/{kid}/revoke")
    assert r.status_code == 200 and r.json()["state"] == "revoked", r.text
    jwks = requests.get(w.issuer("atkkeys") + "/.well-known/agent-trust-keys", timeout=10).json()
    assert kid not in {k["kid"] for k in jwks["keys"]}
    return token, passport, kid


def test_revoked_keys_token_at_introspection(attack_world: World, revoked_key):
    assert attack_world.introspect(revoked_key[0], realm="atkkeys", caller="keys-gate").json() == {"active": False}


def test_revoked_keys_token_at_the_gate(attack_world: World, revoked_key):
    w = attack_world
    r = w.gate({"token": revoked_key[0], **GATE_QUERY}, realm="atkkeys", caller="keys-gate")
    answer = r.json()
    assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], answer


def test_revoked_keys_token_at_exchange(attack_world: World, revoked_key):
    w = attack_world
    r = w.exchange(revoked_key[0], actor="keys-gate", realm="atkkeys")
    assert_oauth_error(r, 400, "invalid_grant")


def test_revoked_keys_token_as_a_credential(attack_world: World, revoked_key):
    w = attack_world
    r = requests.post(w.gate_url("atkkeys"), headers={"Authorization": f"Bearer {revoked_key[0]}"}, timeout=10,
                      json={"agent_id": "agent-k", **GATE_QUERY})
    assert_oauth_error(r, 401, "invalid_token")


def test_revoked_keys_passport_at_the_gate(attack_world: World, revoked_key):
    w = attack_world
    answer = w.gate({"passport": revoked_key[1], **GATE_QUERY}, realm="atkkeys", caller="keys-gate").json()
    assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], answer
    assert "is not in the JWKS" in answer["reason"], answer


def test_revoked_key_is_audited(attack_world: World, revoked_key):
    w = attack_world
    kids = [e["detail"]["kid"] for e in w.admin.audit("atkkeys", type="key.revoked")]
    assert revoked_key[2] in kids
    assert [e["detail"]["kid"] for e in w.admin.audit("atkkeys", type="admin.key.revoke")] == [revoked_key[2]]


def test_new_key_signs_after_revocation(attack_world: World, revoked_key):
    """The control: the realm signs with a new key at once, and its tokens are active."""
    w = attack_world
    token = w.token("keys-bot", realm="atkkeys")
    assert forge.header_of(token)["kid"] != revoked_key[2]
    assert w.introspect(token, realm="atkkeys", caller="keys-gate").json()["active"] is True


def test_retired_keys_token_stays_valid_until_it_expires(attack_world: World, revoked_key):
    """The control of the revoked key: a key retired (not revoked) stays published until
    every token it signed has expired (docs/admin-api.md, Keys), so its tokens stay active
    while a new key signs."""
    w = attack_world
    token = w.token("keys-bot", realm="atkkeys")
    kid = forge.header_of(token)["kid"]
    r = w.admin.call("POST", f"atkkeys/keys/{kid}/retire")
    assert r.status_code == 200 and r.json()["state"] == "retired", r.text
    assert w.introspect(token, realm="atkkeys", caller="keys-gate").json()["active"] is True
    assert forge.header_of(w.token("keys-bot", realm="atkkeys"))["kid"] != kid


# -- status list read by a relying party --------------------------------------------------------

def _status_list(w: World, realm: str = "atk") -> str:
    r = requests.get(f"{w.issuer(realm)}/statuslists/1", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/statuslist+jwt"), describe(r)
    return r.text


def _jwks(w: World, realm: str = "atk") -> dict:
    return requests.get(f"{w.issuer(realm)}/.well-known/agent-trust-keys", timeout=10).json()


def test_status_list_verifies_with_the_jwks(attack_world: World):
    w = attack_world
    text = _status_list(w)
    assert forge.header_of(text)["typ"] == "statuslist+jwt"
    decoded = jose_jwt.decode(text, KeySet.import_key_set(_jwks(w)), algorithms=["ES256"])
    assert decoded.claims["sub"] == w.issuer() + "/statuslists/1" and decoded.claims["iss"] == w.issuer()


def _flip_first_entry(text: str) -> str:
    claims = forge.claims_of(text)
    packed = bytearray(zlib.decompress(base64.urlsafe_b64decode(claims["status_list"]["lst"] + "==")))
    packed[0] ^= 0b10
    claims["status_list"]["lst"] = base64.urlsafe_b64encode(zlib.compress(bytes(packed))).rstrip(b"=").decode()
    return forge.with_claims(text, claims)


@pytest.mark.parametrize("name,tamper", [
    ("entry-flipped", _flip_first_entry),
    ("ttl-raised", lambda t: forge.with_claims(t, dict(forge.claims_of(t), ttl=10**9))),
    ("sub-changed", lambda t: forge.with_claims(t, dict(forge.claims_of(t), sub="https://elsewhere/statuslists/1"))),
])
def test_tampered_status_list_is_detected(attack_world: World, name, tamper):
    """A status list changed in transit (the signature kept) fails both libraries."""
    w = attack_world
    forged = tamper(_status_list(w))
    with pytest.raises(BadSignatureError):
        jose_jwt.decode(forged, KeySet.import_key_set(_jwks(w)), algorithms=["ES256"])
    key = next(k for k in pyjwt.PyJWKSet.from_dict(_jwks(w)).keys if k.key_id == forge.header_of(forged)["kid"])
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(forged, key.key, algorithms=["ES256"], options={"verify_aud": False})


def test_unsigned_status_list_is_refused_by_relying_parties(attack_world: World):
    w = attack_world
    text = _status_list(w)
    unsigned = forge.sign_raw(dict(forge.header_of(text), alg="none"), forge.claims_of(text), None)
    key = next(k for k in pyjwt.PyJWKSet.from_dict(_jwks(w)).keys if k.key_id == forge.header_of(text)["kid"])
    with pytest.raises(pyjwt.InvalidAlgorithmError):
        pyjwt.decode(unsigned, key.key, algorithms=["ES256"], options={"verify_aud": False})


def test_other_realms_status_list_does_not_verify_with_this_realms_keys(attack_world: World):
    w = attack_world
    with pytest.raises(Exception):
        jose_jwt.decode(_status_list(w, "atk2"), KeySet.import_key_set(_jwks(w, "atk")), algorithms=["ES256", "EdDSA"])


def test_status_list_signature_is_low_s(attack_world: World):
    """Herald signs low-S: the list a relying party caches has one spelling."""
    assert not forge.is_high_s(forge.signature_of(_status_list(attack_world)))
