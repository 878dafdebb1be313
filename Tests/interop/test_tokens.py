"""client_credentials tokens for every demo agent, obtained with third-party clients
(requests, authlib) and verified with two independent JOSE libraries (joserfc, PyJWT)
against the JWKS published at the discovery document's jwks_uri (wire-formats.md §2-§3).

The expected claim values are written out by hand from realms/acme.yaml,
realms/globex.yaml and the default level table (wire-formats.md §2)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt as pyjwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, KeySet, OKPKey

from herald_helpers import (CLIENT_CREDENTIALS, assert_json, assert_not_5xx, assert_oauth_error,
                            client_secret, demo_private_key_pem, describe, scope_set)

# mcps members that appear only once the agent lifecycle exists (wire-formats §2)
LIFECYCLE_MEMBERS = {"trust_score", "pipeline_stage"}

ACME_ISSUER_PATH = "/realms/acme"
ACME_LIFETIME = 300      # acme token.lifetime: 300s
GLOBEX_LIFETIME = 600    # globex token.lifetime: 10m

# acme's level table: the default table (label, payment_enabled, limits) with acme's
# overrides (L3 tx_limit 2500 / day_limit 10000, scopes for every level).
ACME_MCPS = {
    0: {"trust_level": 0, "trust_label": "L0 -- Untrusted", "payment_enabled": False,
        "tx_limit": 0, "day_limit": 0, "scopes": ""},
    1: {"trust_level": 1, "trust_label": "L1 -- Restricted", "payment_enabled": True,
        "tx_limit": 10, "day_limit": 50, "scopes": "sanctions_screen"},
    2: {"trust_level": 2, "trust_label": "L2 -- Standard", "payment_enabled": True,
        "tx_limit": 100, "day_limit": 500, "scopes": "payment_initiate,sanctions_screen"},
    3: {"trust_level": 3, "trust_label": "L3 -- Elevated", "payment_enabled": True,
        "tx_limit": 2500, "day_limit": 10000,
        "scopes": "payment_initiate,payment_approve,sanctions_screen"},
    4: {"trust_level": 4, "trust_label": "L4 -- Full Access", "payment_enabled": True,
        "tx_limit": 50000, "day_limit": 200000,
        "scopes": "payment_initiate,payment_approve,sanctions_screen,treasury_manage"},
}


@dataclass(frozen=True)
class Agent:
    client_id: str
    sub: str
    auth: str
    level: int
    roles: tuple[str, ...]
    scope: frozenset[str]      # the granted scope without a scope request parameter
    audience: str | None = None  # None: the issuer URL


ACME_AGENTS = [
    Agent("observer-bot", "agent-observer", "client_secret_post", 0, (), frozenset()),
    Agent("screening-bot", "agent-screening", "client_secret_basic", 1, ("mcps-l1",),
          frozenset({"sanctions_screen"})),
    Agent("procurement-bot", "agent-procurement", "client_secret_basic", 2, ("mcps-l2",),
          frozenset({"payment_initiate", "sanctions_screen"})),
    # mcps-l2 directly, mcps-l3 through payment-bots
    Agent("payments-bot", "agent-payments", "client_secret_post", 3, ("mcps-l2", "mcps-l3"),
          frozenset({"payment_initiate", "payment_approve", "sanctions_screen"})),
    # mcps-l1 directly, mcps-l4 through treasury
    Agent("treasury-bot", "agent-treasury", "client_secret_basic", 4, ("mcps-l1", "mcps-l4"),
          frozenset({"payment_initiate", "payment_approve", "sanctions_screen", "treasury_manage"})),
    # L4, but the client may only have payment_initiate; its own audience
    Agent("ledger-agent", "agent-ledger", "private_key_jwt", 4, ("mcps-l4",),
          frozenset({"payment_initiate"}), audience="https://payments.acme.test"),
]
ACME_BY_ID = {a.client_id: a for a in ACME_AGENTS}


# -- obtaining tokens --------------------------------------------------------------------

def authlib_private_key_jwt(token_endpoint: str, client_id: str, alg: str, scope=None) -> dict:
    """private_key_jwt through authlib's OAuth2Session + RFC 7523 PrivateKeyJWT."""
    pem = demo_private_key_pem(client_id)
    key = ECKey.import_key(pem) if alg == "ES256" else OKPKey.import_key(pem)
    # authlib's default assertion lifetime is an hour; Herald (like RFC 7523 §3 allows)
    # takes at most 5 minutes. A fresh auth object per call: authlib stores the jti it
    # generates in the claims dict it was given.
    auth = PrivateKeyJWT(token_endpoint, alg=alg, claims={"exp": int(time.time()) + 120})
    session = OAuth2Session(client_id, key, token_endpoint_auth_method="private_key_jwt",
                            scope=scope)
    session.register_client_auth_method(auth)
    try:
        return dict(session.fetch_token(token_endpoint, grant_type=CLIENT_CREDENTIALS))
    finally:
        session.close()


def token_request(token_endpoint: str, client_id: str, auth: str, scope=None) -> requests.Response:
    """The raw HTTP exchange for the secret-based methods."""
    form = {"grant_type": CLIENT_CREDENTIALS}
    if scope is not None:
        form["scope"] = scope
    if auth == "client_secret_basic":
        return requests.post(token_endpoint, data=form, auth=(client_id, client_secret(client_id)),
                             timeout=10)
    if auth == "client_secret_post":
        form.update(client_id=client_id, client_secret=client_secret(client_id))
        return requests.post(token_endpoint, data=form, timeout=10)
    raise ValueError(auth)


def check_token_response(r: requests.Response) -> dict:
    assert_not_5xx(r)
    assert r.status_code == 200, describe(r)
    body = assert_json(r)
    assert "no-store" in r.headers.get("Cache-Control", "").lower(), describe(r)
    assert isinstance(body.get("access_token"), str) and body["access_token"].count(".") == 2
    assert body.get("token_type") == "Bearer", body
    assert type(body.get("expires_in")) is int, body
    return body


def obtain(herald, realm: str, client_id: str, auth: str, scope=None, alg="ES256") -> dict:
    endpoint = herald.discovery(realm)["token_endpoint"]
    if auth == "private_key_jwt":
        body = authlib_private_key_jwt(endpoint, client_id, alg, scope=scope)
        assert body.get("token_type") == "Bearer", body
        return body
    return check_token_response(token_request(endpoint, client_id, auth, scope=scope))


# -- verifying tokens --------------------------------------------------------------------

class Verifier:
    """Both libraries, each given only the jwks_uri from discovery."""

    def __init__(self, herald, realm: str):
        disco = herald.discovery(realm)
        self.issuer = disco["issuer"]
        self.jwks_uri = disco["jwks_uri"]
        r = requests.get(self.jwks_uri, timeout=10)
        assert r.status_code == 200, describe(r)
        self.jwks = r.json()
        self.keyset = KeySet.import_key_set(self.jwks)
        self.pyjwk_client = pyjwt.PyJWKClient(self.jwks_uri, cache_keys=True)

    def verify(self, token: str, *, alg: str, aud: str, sub: str) -> dict:
        # joserfc
        decoded = jose_jwt.decode(token, self.keyset, algorithms=[alg])
        assert decoded.header["alg"] == alg
        assert decoded.header["typ"] == "at+jwt", decoded.header
        assert decoded.header["kid"] in {k["kid"] for k in self.jwks["keys"]}
        jose_jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": aud},
            sub={"essential": True, "value": sub},
            exp={"essential": True},
            iat={"essential": True},
            nbf={"essential": True},
            jti={"essential": True},
        ).validate(decoded.claims)

        # PyJWT
        header = pyjwt.get_unverified_header(token)
        assert header["typ"] == "at+jwt" and header["alg"] == alg, header
        signing_key = self.pyjwk_client.get_signing_key_from_jwt(token)
        claims = pyjwt.decode(
            token, signing_key.key, algorithms=[alg], audience=aud, issuer=self.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        assert claims == decoded.claims

        # RFC 7519 NumericDate as whole seconds (json gives float for 1.5 or 1.0)
        now = int(time.time())
        for name in ("exp", "iat", "nbf"):
            assert type(claims[name]) is int, f"{name} is not an integer: {claims[name]!r}"
        assert abs(claims["iat"] - now) <= 60, claims
        assert claims["nbf"] <= now + 5
        assert claims["exp"] > now
        assert isinstance(claims["jti"], str) and claims["jti"]
        return claims


@pytest.fixture(scope="module")
def acme(herald):
    return Verifier(herald, "acme")


@pytest.fixture(scope="module")
def globex(herald):
    return Verifier(herald, "globex")


def core_mcps(mcps: dict) -> dict:
    """The mcps claim minus the members the contract adds with the agent lifecycle."""
    assert isinstance(mcps, dict), mcps
    if "trust_score" in mcps:
        assert type(mcps["trust_score"]) is int and 0 <= mcps["trust_score"] <= 100, mcps
    if "pipeline_stage" in mcps:
        assert isinstance(mcps["pipeline_stage"], str), mcps
    return {k: v for k, v in mcps.items() if k not in LIFECYCLE_MEMBERS}


def check_scope(body: dict, claims: dict, expected: set[str]):
    if expected:
        assert "scope" in claims and "scope" in body, (body, claims)
    assert scope_set(claims.get("scope")) == expected, claims.get("scope")
    assert scope_set(body.get("scope")) == expected, body.get("scope")


def check_roles(claims: dict, roles: tuple[str, ...]):
    if roles or "realm_access" in claims:
        assert claims["realm_access"] == {"roles": list(roles)}, claims.get("realm_access")


# -- acme ----------------------------------------------------------------------------------

@pytest.mark.parametrize("agent", ACME_AGENTS, ids=lambda a: f"{a.client_id}-{a.auth}-L{a.level}")
def test_acme_agent_token(herald, acme, agent: Agent):
    body = obtain(herald, "acme", agent.client_id, agent.auth)
    aud = agent.audience or acme.issuer
    claims = acme.verify(body["access_token"], alg="ES256", aud=aud, sub=agent.sub)

    assert acme.issuer == herald.base + ACME_ISSUER_PATH
    assert claims["iss"] == acme.issuer
    assert claims["sub"] == agent.sub
    assert claims["aud"] == aud  # one audience: a single string
    assert claims["client_id"] == agent.client_id
    assert claims["exp"] - claims["iat"] == ACME_LIFETIME
    assert ACME_LIFETIME - 2 <= body["expires_in"] <= ACME_LIFETIME
    assert core_mcps(claims["mcps"]) == ACME_MCPS[agent.level]
    check_roles(claims, agent.roles)
    check_scope(body, claims, set(agent.scope))


def test_each_token_has_a_fresh_jti(herald, acme):
    a = obtain(herald, "acme", "procurement-bot", "client_secret_basic")["access_token"]
    b = obtain(herald, "acme", "procurement-bot", "client_secret_basic")["access_token"]
    ca = acme.verify(a, alg="ES256", aud=acme.issuer, sub="agent-procurement")
    cb = acme.verify(b, alg="ES256", aud=acme.issuer, sub="agent-procurement")
    assert ca["jti"] != cb["jti"]


def test_acme_token_does_not_verify_with_globex_keys(herald, acme, globex):
    token = obtain(herald, "acme", "screening-bot", "client_secret_basic")["access_token"]
    with pytest.raises(Exception):
        jose_jwt.decode(token, globex.keyset, algorithms=["ES256"])
    kid = pyjwt.get_unverified_header(token)["kid"]
    assert kid not in {k["kid"] for k in globex.jwks["keys"]}


# -- scope narrowing -------------------------------------------------------------------------

@pytest.mark.parametrize("client_id,requested", [
    ("procurement-bot", "sanctions_screen"),
    ("procurement-bot", "payment_initiate"),
    ("treasury-bot", "treasury_manage payment_approve"),
    ("payments-bot", "sanctions_screen payment_approve payment_initiate"),
    ("ledger-agent", "payment_initiate"),
])
def test_scope_narrowing(herald, acme, client_id, requested):
    agent = ACME_BY_ID[client_id]
    body = obtain(herald, "acme", client_id, agent.auth, scope=requested)
    claims = acme.verify(body["access_token"], alg="ES256", aud=agent.audience or acme.issuer,
                         sub=agent.sub)
    check_scope(body, claims, scope_set(requested))
    # the mcps claim describes the level, not the request
    assert core_mcps(claims["mcps"]) == ACME_MCPS[agent.level]


@pytest.mark.parametrize("client_id,requested", [
    ("procurement-bot", "treasury_manage"),            # above its level
    ("procurement-bot", "sanctions_screen payment_approve"),  # one of two not granted
    ("observer-bot", "sanctions_screen"),              # L0 has no scopes
    ("screening-bot", "no_such_scope"),
])
def test_invalid_scope(herald, client_id, requested):
    agent = ACME_BY_ID[client_id]
    r = token_request(herald.token_endpoint("acme"), client_id, agent.auth, scope=requested)
    assert_oauth_error(r, 400, "invalid_scope")


def test_invalid_scope_outside_client_scopes_private_key_jwt(herald):
    """ledger-agent is L4, but its client entry limits it to payment_initiate."""
    from authlib.integrations.base_client import OAuthError
    with pytest.raises(OAuthError) as e:
        authlib_private_key_jwt(herald.token_endpoint("acme"), "ledger-agent", "ES256",
                                scope="payment_approve")
    assert e.value.error == "invalid_scope"


# -- globex (EdDSA signs first) --------------------------------------------------------------

GLOBEX_AGENTS = [
    # default level table (globex overrides nothing)
    ("globex-scout", "agent-scout", "client_secret_basic", "EdDSA",
     {"trust_level": 1, "trust_label": "L1 -- Restricted", "payment_enabled": True,
      "tx_limit": 10, "day_limit": 50}, ["mcps-l1"]),
    ("globex-broker", "agent-broker", "client_secret_post", "EdDSA",
     {"trust_level": 3, "trust_label": "L3 -- Elevated", "payment_enabled": True,
      "tx_limit": 1000, "day_limit": 5000}, ["mcps-l3"]),
    ("globex-auditor", "agent-auditor", "private_key_jwt", "EdDSA",
     {"trust_level": 2, "trust_label": "L2 -- Standard", "payment_enabled": True,
      "tx_limit": 100, "day_limit": 500}, ["mcps-l2"]),
]


@pytest.mark.parametrize("client_id,sub,auth,assertion_alg,mcps,roles", GLOBEX_AGENTS,
                         ids=[a[0] for a in GLOBEX_AGENTS])
def test_globex_agent_token(herald, globex, client_id, sub, auth, assertion_alg, mcps, roles):
    body = obtain(herald, "globex", client_id, auth, alg=assertion_alg)
    token = body["access_token"]
    assert pyjwt.get_unverified_header(token)["alg"] == "EdDSA"
    claims = globex.verify(token, alg="EdDSA", aud=globex.issuer, sub=sub)
    assert claims["iss"] == herald.base + "/realms/globex"
    assert claims["aud"] == globex.issuer
    assert claims["client_id"] == client_id
    assert claims["exp"] - claims["iat"] == GLOBEX_LIFETIME
    assert GLOBEX_LIFETIME - 2 <= body["expires_in"] <= GLOBEX_LIFETIME
    got = core_mcps(claims["mcps"])
    # the default table's scopes are not written in the contract: only their consistency
    assert isinstance(got.pop("scopes"), str)
    assert got == mcps
    level_scopes = {s for s in claims["mcps"]["scopes"].split(",") if s}
    check_scope(body, claims, level_scopes)
    check_roles(claims, tuple(roles))


def test_globex_signing_key_is_okp(globex, herald):
    token = obtain(herald, "globex", "globex-scout", "client_secret_basic")["access_token"]
    kid = pyjwt.get_unverified_header(token)["kid"]
    key = next(k for k in globex.jwks["keys"] if k["kid"] == kid)
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
