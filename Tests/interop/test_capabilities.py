"""Capability tokens (issue 15, docs/action-authority.md) against a real herald, with
third-party clients: authlib asks for the capability (an RFC 8693 token exchange with RFC
9396 ``authorization_details``), joserfc verifies it against the realm's JWKS as a resource
server would, and the resource server consumes it over HTTP. A capability used twice is
refused the second time; of ten resource servers racing for one, exactly one wins; each
decision is in the audit log and ``herald audit verify`` passes.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from conftest import herald_binary
from herald_helpers import Admin, assert_oauth_error, client_secret

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
AGENT = "treasury-bot"          # agent-treasury, L4 in the demo realm
RESOURCE_SERVER = "screening-bot"
PAYMENT = {"type": "payment", "actions": ["initiate"], "locations": ["https://payments.acme.test"],
           "identifier": "invoice-2026-0042", "amount": "125.50", "currency": "EUR"}


def _session(herald, client_id: str) -> OAuth2Session:
    return OAuth2Session(client_id, client_secret(client_id), token_endpoint_auth_method="client_secret_basic")


def _capability(herald, detail: dict = PAYMENT, **extra) -> dict:
    session = _session(herald, AGENT)
    endpoint = herald.token_endpoint("acme")
    access = session.fetch_token(endpoint, grant_type="client_credentials")["access_token"]
    return session.fetch_token(endpoint, grant_type=EXCHANGE, subject_token=access, subject_token_type=ACCESS_TOKEN,
                               authorization_details=json.dumps([detail]), **extra)


def _consume(herald, capability: str, **expect) -> requests.Response:
    return requests.post(f"{herald.issuer('acme')}/capabilities/consume", json={"capability": capability, **expect},
                         auth=(RESOURCE_SERVER, client_secret(RESOURCE_SERVER)), timeout=30)


@pytest.fixture(scope="module")
def herald(start_herald):
    return start_herald()


def test_capability_verifies_with_joserfc_as_one_action_on_one_resource(herald):
    reply = _capability(herald, capability_ttl="20")
    assert reply["token_type"] == "N_A"
    assert reply["issued_token_type"] == "urn:ietf:params:oauth:token-type:jwt"
    assert reply["expires_in"] == 20
    assert reply["authorization_details"] == [PAYMENT]
    keys = KeySet.import_key_set(requests.get(herald.discovery("acme")["jwks_uri"], timeout=10).json())
    token = jwt.decode(reply["access_token"], keys, algorithms=["ES256"])
    assert token.header["typ"] == "capability+jwt"
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": herald.issuer("acme")},
                          aud={"essential": True, "value": "https://payments.acme.test"},
                          jti={"essential": True}, exp={"essential": True}).validate(token.claims)
    claims = token.claims
    assert claims["sub"] == "agent-treasury"
    assert claims["authorization_details"] == [PAYMENT]
    assert claims["exp"] - claims["iat"] == 20
    assert claims["status"]["status_list"]["uri"].startswith(herald.issuer("acme"))


def test_used_twice_refused_the_second_time_and_audited(herald):
    capability = _capability(herald)["access_token"]
    first = _consume(herald, capability, action="initiate", identifier="invoice-2026-0042")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["consumed"] is True and body["agent_id"] == "agent-treasury"
    assert body["authorization_details"] == [PAYMENT]
    second = _consume(herald, capability)
    assert_oauth_error(second, 409, "capability_used")

    jti = body["jti"]
    admin = Admin(herald)
    issued = [e for e in admin.audit("acme", type="capability.issued") if e["detail"].get("jti") == jti]
    consumed = [e for e in admin.audit("acme", type="capability.consumed") if e["detail"].get("jti") == jti]
    replayed = [e for e in admin.audit("acme", type="capability.replayed") if e["detail"].get("jti") == jti]
    assert len(issued) == 1 and issued[0]["detail"]["action"] == "initiate"
    assert len(consumed) == 1 and consumed[0]["detail"]["consumer"] == RESOURCE_SERVER
    assert len(replayed) == 1


def test_ten_resource_servers_racing_for_one_capability_one_wins(herald):
    capability = _capability(herald)["access_token"]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: _consume(herald, capability).status_code, range(10)))
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 9, statuses


def test_refusals_consume_nothing_and_revocation_refuses(herald):
    capability = _capability(herald)["access_token"]
    wrong = _consume(herald, capability, identifier="invoice-other")
    assert_oauth_error(wrong, 400, "invalid_token")
    assert "invoice-2026-0042" in wrong.json()["error_description"]
    # Not consumed by the refusal; revoked by its client, it is refused from then on.
    revoked = requests.post(f"{herald.issuer('acme')}/capabilities/revoke", json={"capability": capability},
                            auth=(AGENT, client_secret(AGENT)), timeout=30)
    assert revoked.status_code == 200, revoked.text
    after = _consume(herald, capability)
    assert_oauth_error(after, 400, "invalid_token")
    assert "revoked" in after.json()["error_description"]
    # A capability is no access token: the realm's own bearer check refuses it.
    gate = requests.post(f"{herald.issuer('acme')}/mcp/verify", json={"agent_id": "agent-treasury", "tool_name": "x"},
                         headers={"Authorization": f"Bearer {capability}"}, timeout=30)
    assert gate.status_code == 401


def test_two_actions_and_ttl_beyond_the_realm_bound_are_refused(herald):
    session = _session(herald, AGENT)
    endpoint = herald.token_endpoint("acme")
    access = session.fetch_token(endpoint, grant_type="client_credentials")["access_token"]
    form = {"grant_type": EXCHANGE, "subject_token": access, "subject_token_type": ACCESS_TOKEN}
    auth = (AGENT, client_secret(AGENT))
    two = requests.post(endpoint, auth=auth, timeout=30,
                        data=dict(form, authorization_details=json.dumps([dict(PAYMENT, actions=["initiate", "refund"])])))
    assert_oauth_error(two, 400, "invalid_request")
    long = requests.post(endpoint, auth=auth, timeout=30,
                         data=dict(form, authorization_details=json.dumps([PAYMENT]), capability_ttl="3600"))
    assert_oauth_error(long, 400, "invalid_request")
    assert "max_lifetime" in long.json()["error_description"]
    denied = [e for e in Admin(herald).audit("acme", type="capability.denied")]
    assert len(denied) >= 2


def test_audit_verify_passes(herald):
    jwks = herald.discovery("acme")["jwks_uri"]
    result = subprocess.run([str(herald_binary()), "audit", "verify", "--data", str(herald.data_dir), "--realm", "acme",
                             "--jwks", jwks], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
