"""Attack corpus, surface 5: bearer tokens on the admin API (docs/admin-api.md,
"Authentication"). Every forgery is sent to ``GET /admin/realms`` and must get the exact
documented ``401 invalid_token`` (or ``403 insufficient_scope``) with its description and
``WWW-Authenticate`` header. Refused admin requests are not audited (docs/audit.md).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Callable

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

import forge
from attack_world import World
from herald_helpers import assert_oauth_error, describe, ec_public_jwk, hs256_signer, low_s_es256_signer

NOT_SIGNED = "the token is not signed by the master realm"
CHALLENGE = 'Bearer realm="master", error="invalid_token"'


@dataclass(frozen=True)
class AdminAttack:
    name: str
    description: str
    build: Callable[[World], str]      # the Authorization header value
    description_sent: str = NOT_SIGNED
    challenge: str = CHALLENGE


def _admin(w: World) -> str:
    return w.admin.token


def _master_key(w: World, kid: str) -> dict:
    keys = requests.get(w.issuer("master") + "/.well-known/agent-trust-keys", timeout=10).json()["keys"]
    return next(k for k in keys if k["kid"] == kid)


def _not_admin_token(w: World) -> str:
    r = requests.post(w.token_endpoint("master"), auth=("atk-not-admin", w.secrets["master:atk-not-admin"]),
                      data={"grant_type": "client_credentials"}, timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()["access_token"]


def _roles_raised(w: World) -> str:
    token = _not_admin_token(w)
    claims = forge.claims_of(token)
    claims["realm_access"] = {"roles": ["herald-admin"]}
    return forge.with_claims(token, claims)


def _bearer(token: str) -> str:
    return "Bearer " + token


ATTACKS = [
    AdminAttack("no-credentials", "no Authorization header", lambda w: "",
                "a bearer token from the master realm is required: run `herald login`", 'Bearer realm="master"'),
    AdminAttack("basic-admin-credentials", "the admin client's id and secret as HTTP Basic instead of a token",
                lambda w: "Basic " + base64.b64encode(":".join(w.admin.credentials).encode()).decode(),
                "a bearer token from the master realm is required: run `herald login`", 'Bearer realm="master"'),
    AdminAttack("alg-none", "an admin token with alg none and no signature",
                lambda w: _bearer(forge.sign_raw(dict(forge.header_of(_admin(w)), alg="none"),
                                                 forge.claims_of(_admin(w)), None))),
    AdminAttack("alg-None", "alg None", lambda w: _bearer(forge.sign_raw(dict(forge.header_of(_admin(w)), alg="None"),
                                                                          forge.claims_of(_admin(w)), None))),
    AdminAttack("hs256-with-master-jwk", "HS256 keyed with the master realm's published key",
                lambda w: _bearer(forge.sign_raw(dict(forge.header_of(_admin(w)), alg="HS256"), forge.claims_of(_admin(w)),
                                                 hs256_signer(json.dumps(_master_key(
                                                     w, forge.header_of(_admin(w))["kid"])).encode())))),
    AdminAttack("attacker-key-jwk-header", "re-signed by an attacker key embedded as a jwk header",
                lambda w: (lambda k: _bearer(forge.sign_raw(dict(forge.header_of(_admin(w)), jwk=ec_public_jwk(k)),
                                                            forge.claims_of(_admin(w)), low_s_es256_signer(k))))(
                    ec.generate_private_key(ec.SECP256R1()))),
    AdminAttack("attacker-key-jku", "re-signed by an attacker key advertised through jku",
                lambda w: (lambda k: _bearer(forge.sign_raw(dict(forge.header_of(_admin(w)),
                                                                 jku=w.fake.entity("jku") + "/admin.json"),
                                                            forge.claims_of(_admin(w)), low_s_es256_signer(k))))(
                    ec.generate_private_key(ec.SECP256R1()))),
    AdminAttack("other-realm-token", "a genuine access token of realm atk", lambda w: _bearer(w.token("atk-gate"))),
    AdminAttack("roles-raised", "a non-admin master token with herald-admin added, the signature kept",
                lambda w: _bearer(_roles_raised(w))),
    AdminAttack("high-s-twin", "signature malleability: (r, n − s) of a genuine admin token",
                lambda w: _bearer(forge.high_s_twin(_admin(w)))),
    AdminAttack("der-signature", "the signature as ASN.1 DER", lambda w: _bearer(forge.der_signature(_admin(w)))),
    AdminAttack("b64-padding", "'=' padding on the signature",
                lambda w: _bearer(".".join(forge.padded(s) if i == 2 else s
                                           for i, s in enumerate(_admin(w).split("."))) + "==")),
    AdminAttack("five-segments", "two extra segments", lambda w: _bearer(_admin(w) + ".AAAA.BBBB")),
    AdminAttack("two-tokens", "two tokens in one header", lambda w: _bearer(_admin(w) + " " + _admin(w))),
    AdminAttack("master-passport", "a genuine JWT passport of the master realm's admin agent",
                lambda w: _bearer(_master_passport(w)), "the token is not an access token"),
    AdminAttack("master-status-list", "the master realm's genuine status list JWT",
                lambda w: _bearer(requests.get(w.issuer("master") + "/statuslists/1", timeout=10).text),
                "the token is not an access token"),
]


def _master_passport(w: World) -> str:
    r = requests.post(w.issuer("master") + "/agents/herald-admin/passport", headers=w.admin.headers,
                      json={"public_key": ec_public_jwk(ec.generate_private_key(ec.SECP256R1()))}, timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()["passport"]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_forged_admin_token_is_refused(attack_world: World, attack: AdminAttack):
    w = attack_world
    header = attack.build(w)
    headers = {"Authorization": header} if header else {}
    mark = w.mark("master")
    r = requests.get(w.herald.base + "/admin/realms", headers=headers, timeout=10)
    body = assert_oauth_error(r, 401, "invalid_token")
    assert body["error_description"] == attack.description_sent, body
    assert r.headers["WWW-Authenticate"] == attack.challenge, describe(r)
    # a refused admin request writes nothing; the forgery's own building may have issued tokens
    assert [e for e in w.entries_after(mark, "admin.*", "master")] == []


def test_non_admin_master_token_is_403(attack_world: World):
    """A genuine master token without herald-admin: 403 insufficient_scope, no challenge."""
    w = attack_world
    r = requests.get(w.herald.base + "/admin/realms", headers={"Authorization": _bearer(_not_admin_token(w))},
                     timeout=10)
    body = assert_oauth_error(r, 403, "insufficient_scope")
    assert body["error_description"] == "the token lacks role herald-admin"
    assert "WWW-Authenticate" not in r.headers


def test_non_admin_master_token_cannot_change_anything(attack_world: World):
    """The same token on a write: 403, and no admin.* entry."""
    w = attack_world
    mark = w.mark("atk")
    r = requests.post(w.herald.base + "/admin/realms/atk/agents/agent-bob/kill",
                      headers={"Authorization": _bearer(_not_admin_token(w))}, json={"reason": "attack"}, timeout=10)
    assert_oauth_error(r, 403, "insufficient_scope")
    assert w.entries_after(mark, "agent.*", "atk") == []


def test_revoked_admin_token_is_refused(attack_world: World):
    """An admin token its client revoked (RFC 7009 at the master realm) no longer
    administers: 401 invalid_token."""
    w = attack_world
    token = requests.post(w.token_endpoint("master"), auth=w.admin.credentials,
                          data={"grant_type": "client_credentials"}, timeout=10).json()["access_token"]
    assert requests.get(w.herald.base + "/admin/realms", headers={"Authorization": _bearer(token)},
                        timeout=10).status_code == 200
    revoked = requests.post(w.issuer("master") + "/protocol/openid-connect/revoke", auth=w.admin.credentials,
                            data={"token": token}, timeout=10)
    assert revoked.status_code == 200, describe(revoked)
    r = requests.get(w.herald.base + "/admin/realms", headers={"Authorization": _bearer(token)}, timeout=10)
    body = assert_oauth_error(r, 401, "invalid_token")
    assert body["error_description"] == "the token has been revoked", body


def test_genuine_admin_token_is_accepted(attack_world: World):
    """The control."""
    w = attack_world
    r = requests.get(w.herald.base + "/admin/realms", headers=w.admin.headers, timeout=10)
    assert r.status_code == 200 and "atk" in r.json()["realms"], describe(r)
