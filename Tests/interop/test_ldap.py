"""The LDAP demo realm (realms/ldap/acme-ldap.yaml) against a real slapd, with third-party
clients: authlib gets client_credentials tokens for LDAP-backed agents (ldap_bind and
agent_bind: the client secret is the agent's directory password), joserfc verifies them
against the published JWKS, and the mcps claim carries the level the directory gives
(nested groups, a DN mapping, a disabled agent)."""

from __future__ import annotations

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from herald_helpers import ldap_demo_herald

@pytest.fixture(scope="module")
def ldap_herald(start_herald, tmp_path_factory):
    with ldap_demo_herald(start_herald, tmp_path_factory.mktemp("ldap")) as h:
        yield h


def fetch(h, client_id: str, secret: str) -> dict:
    """A token through authlib (client_secret_basic); its claims verified with joserfc."""
    session = OAuth2Session(client_id, secret, token_endpoint_auth_method="client_secret_basic")
    token = session.fetch_token(h.token_endpoint("acme-ldap"), grant_type="client_credentials")
    jwks = requests.get(h.discovery("acme-ldap")["jwks_uri"], timeout=10).json()
    return jose_jwt.decode(token["access_token"], KeySet.import_key_set(jwks), algorithms=["ES256"]).claims


@pytest.mark.parametrize("client_id, secret, sub, level", [
    ("payments-bot", "demo-payments-password", "agent-payments", 3),         # ldap_bind; nested two deep in mcps-l3
    ("agent-payments", "demo-payments-password", "agent-payments", 3),       # agent_bind, no registered client
    ("agent-treasury", "demo-treasury-password", "agent-treasury", 4),       # DN mapping cn=treasury → mcps-l4
    ("agent-research", "demo-research-password", "agent-research", 1),       # direct member of mcps-l1
    ("agent-intern", "demo-intern-password", "agent-intern", 0),             # no group
    ("treasury-bot", "demo-treasury-secret-0123456789", "agent-treasury", 4),  # secret client, LDAP principal
])
def test_levels(ldap_herald, client_id, secret, sub, level):
    c = fetch(ldap_herald, client_id, secret)
    assert c["sub"] == sub
    assert c["client_id"] == client_id
    assert c["mcps"]["trust_level"] == level
    assert c["iss"] == ldap_herald.issuer("acme-ldap")


@pytest.mark.parametrize("client_id, secret", [
    ("payments-bot", "wrong-password"),
    ("agent-retired", "demo-retired-password"),   # disabled_filter matches
    ("*)(uid=*", "demo-payments-password"),       # filter injection finds nothing
    ("nobody", "demo-payments-password"),
])
def test_refused(ldap_herald, client_id, secret):
    r = requests.post(ldap_herald.token_endpoint("acme-ldap"), data={"grant_type": "client_credentials"},
                      auth=(client_id, secret), timeout=10)
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_client"
    log = ldap_herald.log_path.read_text(errors="replace")
    assert secret not in log
