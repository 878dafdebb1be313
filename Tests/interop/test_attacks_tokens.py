"""Attack corpus, surface 2: forged, altered and misused access tokens wherever Herald
takes one back: introspection (RFC 7662), revocation (RFC 7009), RFC 8693 token exchange
(``subject_token``), the MCP gate (a ``token`` in the body, and a token as the caller's
Bearer credential) and the passport endpoint (Bearer).

Each forgery starts from a genuine token of realm ``atk`` (or is signed by a key the
attacker holds) and is presented at every surface, each with its exact refusal:

* introspection: ``200 {"active": false}`` and nothing more (RFC 7662 §2.2);
* revocation by the token's owner: ``200`` (RFC 7009 §2.2), nothing revoked (the genuine
  token stays active, no ``token.revoked`` entry);
* token exchange: ``400 invalid_grant`` (RFC 8693 §2.2.2, RFC 6749 §5.2) with a
  ``subject_token: …`` description and a ``token.denied`` entry;
* the MCP gate: ``200 DENY`` with ``identity`` failed and an ``mcp.decision`` entry;
* the gate's Bearer caller and the passport endpoint: ``401 invalid_token`` with
  ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

import forge
from attack_world import World
from herald_helpers import assert_oauth_error, describe, ec_public_jwk, hs256_signer

SURFACES = ["introspection", "revocation", "exchange", "gate", "gate-caller", "passport-bearer"]


@dataclass(frozen=True)
class Forgery:
    name: str
    description: str
    build: Callable[[World, str], str]   # (world, a genuine token of atk-alice) -> the forgery
    exchange_reason: str = "not signed"  # a fragment of the invalid_grant description
    # Surfaces where the input is legitimately accepted (an admin token asks for passports).
    not_at: tuple[str, ...] = ()


def _jwks_key(world: World, kid: str) -> dict:
    keys = requests.get(world.issuer() + "/.well-known/agent-trust-keys", timeout=10).json()["keys"]
    return next(k for k in keys if k["kid"] == kid)


def _hs256_with_jwk(world: World, token: str) -> str:
    header = forge.header_of(token)
    secret = json.dumps(_jwks_key(world, header["kid"]), separators=(",", ":")).encode()
    return forge.sign_raw(dict(header, alg="HS256"), forge.claims_of(token), hs256_signer(secret))


def _hs256_with_pem(world: World, token: str) -> str:
    pem = requests.get(world.issuer() + "/api/ta/public-key", timeout=10).json()["pem"].encode()
    return forge.sign_raw(dict(forge.header_of(token), alg="HS256"), forge.claims_of(token), hs256_signer(pem))


def _attacker_signed(world: World, token: str, embed_jwk: bool = False, **header) -> str:
    """The token's header (plus `header`) and claims, re-signed by a fresh attacker key,
    whose public JWK is embedded in the header when `embed_jwk`."""
    attacker = ec.generate_private_key(ec.SECP256R1())
    head = dict(forge.header_of(token), **header)
    if embed_jwk:
        head["jwk"] = ec_public_jwk(attacker)
    return forge.sign_raw(head, forge.claims_of(token), forge.low_s_es256_signer(attacker))


def _claims_changed(token: str, change: Callable[[dict], None]) -> str:
    claims = forge.claims_of(token)
    change(claims)
    return forge.with_claims(token, claims)


def _other_realm_kid(world: World) -> str:
    keys = requests.get(world.issuer("atk2") + "/.well-known/agent-trust-keys", timeout=10).json()["keys"]
    return next(k["kid"] for k in keys if k["alg"] == "EdDSA")


def _segment(token: str, index: int, change: Callable[[str], str]) -> str:
    ps = token.split(".")
    ps[index] = change(ps[index])
    return ".".join(ps)


def _standard_alphabet(world: World, token: str) -> str:
    """The token (or, when none of its characters is '-' or '_', another token of atk-alice:
    about one in fourteen has neither) in the standard alphabet."""
    for _ in range(50):
        ps = token.split(".")
        index = next((i for i, p in enumerate(ps) if "-" in p or "_" in p), None)
        if index is not None:
            ps[index] = forge.standard_alphabet(ps[index])
            return ".".join(ps)
        token = requests.post(world.token_endpoint(), timeout=10, data={
            "grant_type": "client_credentials", "client_id": "atk-alice",
            "client_secret": world.secrets["atk-alice"]}).json()["access_token"]
    raise AssertionError("50 tokens without '-' or '_'")


def _passport_jwt(world: World, token: str) -> str:
    r = requests.post(world.issuer() + "/agents/agent-alice/passport", headers={"Authorization": f"Bearer {token}"},
                      json={"public_key": _agent_jwk()}, timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()["passport"]


def _agent_jwk() -> dict:
    return ec_public_jwk(ec.generate_private_key(ec.SECP256R1()))


def _status_list_jwt(world: World, _token: str) -> str:
    return requests.get(world.issuer() + "/statuslists/1", timeout=10).text


FORGERIES = [
    Forgery("alg-none", "header alg none, signature stripped",
            lambda w, t: forge.sign_raw(dict(forge.header_of(t), alg="none"), forge.claims_of(t), None)),
    Forgery("alg-None", "header alg None, signature stripped",
            lambda w, t: forge.sign_raw(dict(forge.header_of(t), alg="None"), forge.claims_of(t), None)),
    Forgery("alg-NONE", "header alg NONE, signature stripped",
            lambda w, t: forge.sign_raw(dict(forge.header_of(t), alg="NONE"), forge.claims_of(t), None)),
    Forgery("alg-none-signature-kept", "header alg none, the genuine signature kept",
            lambda w, t: forge.with_header(t, dict(forge.header_of(t), alg="none"))),
    Forgery("hs256-with-jwks-key", "algorithm confusion: HS256 keyed with the realm's published JWK",
            _hs256_with_jwk),
    Forgery("hs256-with-ta-pem", "algorithm confusion: HS256 keyed with the trust-authority PEM", _hs256_with_pem),
    Forgery("es256-to-eddsa", "ES256→EdDSA swap: header alg EdDSA, the ES256 signature kept",
            lambda w, t: forge.with_header(t, dict(forge.header_of(t), alg="EdDSA"))),
    Forgery("kid-of-other-realm", "header kid (and alg) of realm atk2's EdDSA key, the signature kept",
            lambda w, t: forge.with_header(t, dict(forge.header_of(t), alg="EdDSA", kid=_other_realm_kid(w)))),
    Forgery("attacker-key-realm-kid", "re-signed by an attacker key under the realm's kid",
            lambda w, t: _attacker_signed(w, t)),
    Forgery("attacker-key-jku", "re-signed by an attacker key advertised through jku",
            lambda w, t: _attacker_signed(w, t, jku=w.fake.entity("jku") + "/jwks.json")),
    Forgery("attacker-key-x5u", "re-signed by an attacker key advertised through x5u",
            lambda w, t: _attacker_signed(w, t, x5u=w.fake.entity("x5u") + "/cert.pem")),
    Forgery("attacker-key-embedded-jwk", "re-signed by an attacker key embedded as a jwk header",
            lambda w, t: _attacker_signed(w, t, embed_jwk=True)),
    Forgery("crit-added", "crit with an unknown extension added to the header",
            lambda w, t: forge.with_header(t, dict(forge.header_of(t), crit=["urn:x:attack"])),
            exchange_reason="marks extensions critical"),
    Forgery("typ-removed", "typ removed from the header, the signature kept",
            lambda w, t: forge.with_header(t, {k: v for k, v in forge.header_of(t).items() if k != "typ"})),
    Forgery("trust-raised", "mcps.trust_level raised to 4 in the payload, the signature kept",
            lambda w, t: _claims_changed(t, lambda c: c["mcps"].update(trust_level=4))),
    Forgery("sub-swapped", "sub changed to the L4 agent-actor, the signature kept",
            lambda w, t: _claims_changed(t, lambda c: c.update(sub="agent-actor"))),
    Forgery("exp-extended", "exp moved a day ahead, the signature kept",
            lambda w, t: _claims_changed(t, lambda c: c.update(exp=c["exp"] + 86400))),
    Forgery("high-s-twin", "signature malleability: (r, n − s) in place of (r, s)", lambda w, t: forge.high_s_twin(t)),
    Forgery("der-signature", "the signature as ASN.1 DER instead of r||s", lambda w, t: forge.der_signature(t)),
    Forgery("empty-signature", "the signature segment empty", lambda w, t: forge.with_signature(t, b"")),
    Forgery("truncated-signature", "the signature cut to 32 bytes",
            lambda w, t: forge.with_signature(t, forge.signature_of(t)[:32])),
    Forgery("two-segments", "the signature segment dropped", lambda w, t: ".".join(t.split(".")[:2]),
            exchange_reason="not a JWS"),
    Forgery("five-segments-jwe-like", "two extra segments, JWE-like", lambda w, t: t + ".AAAA.BBBB",
            exchange_reason="not a JWS"),
    Forgery("b64-padding", "'=' padding on the signature segment", lambda w, t: _segment(t, 2, forge.padded),
            exchange_reason="not a JWS"),
    Forgery("b64-standard-alphabet", "'+' / '/' in place of '-' / '_'", _standard_alphabet,
            exchange_reason="not a JWS"),
    Forgery("b64-trailing-bits", "unused bits of the signature's last character set",
            lambda w, t: _segment(t, 2, forge.with_trailing_bits), exchange_reason="not a JWS"),
    Forgery("whitespace-inside", "a space inside the payload segment",
            lambda w, t: _segment(t, 1, lambda s: s[:7] + " " + s[7:]), exchange_reason="not a JWS"),
    Forgery("other-realm-same-client", "a genuine token of realm atk2 for a client and agent of the same names",
            lambda w, t: w.token("atk-gate", realm="atk2"), exchange_reason="neither this realm nor a peer"),
    Forgery("master-realm-token", "a genuine master-realm admin token",
            lambda w, t: w.admin.token, exchange_reason="neither this realm nor a peer",
            not_at=("passport-bearer",)),
    Forgery("passport-as-token", "the agent's genuine JWT passport (typ agent-passport+jwt) as an access token",
            _passport_jwt, exchange_reason="the token is not an access token (typ)"),
    Forgery("status-list-as-token", "the realm's genuine status list JWT (typ statuslist+jwt) as an access token",
            _status_list_jwt, exchange_reason="the token is not an access token (typ)"),
]


@pytest.fixture
def alice(attack_world: World) -> str:
    """A fresh genuine token of atk-alice (client_secret_post, agent-alice, L2)."""
    w = attack_world
    r = requests.post(w.token_endpoint(), timeout=10, data={
        "grant_type": "client_credentials", "client_id": "atk-alice", "client_secret": w.secrets["atk-alice"]})
    assert r.status_code == 200, describe(r)
    return r.json()["access_token"]


def _active(world: World, token: str) -> bool:
    r = world.introspect(token)
    assert r.status_code == 200, describe(r)
    return r.json()["active"]


def check_surface(world: World, surface: str, forged: str, genuine: str, exchange_reason: str):
    """`forged` is refused at `surface` exactly as the module docstring says."""
    if surface == "introspection":
        r = world.introspect(forged)
        assert r.status_code == 200, describe(r)
        assert r.json() == {"active": False}, describe(r)
    elif surface == "revocation":
        mark = world.mark()
        r = requests.post(world.revoke_url(), timeout=10, data={
            "token": forged, "client_id": "atk-alice", "client_secret": world.secrets["atk-alice"]})
        assert r.status_code == 200, describe(r)
        assert r.content == b"", describe(r)
        assert world.entries_after(mark, "token.revoked") == []
        assert _active(world, genuine), "revoking a forgery revoked the genuine token"
    elif surface == "exchange":
        mark = world.mark()
        r = world.exchange(forged)
        body = assert_oauth_error(r, 400, "invalid_grant")
        assert body["error_description"].startswith("subject_token: "), body
        assert exchange_reason in body["error_description"], body
        denied = world.entries_after(mark, "token.denied")
        assert len(denied) == 1 and denied[0]["detail"] == {"error": "invalid_grant"}, denied
        assert world.entries_after(mark, "token.exchanged") == []
    elif surface == "gate":
        mark = world.mark()
        r = world.gate({"token": forged, "mcp_server_id": "database-mcp", "tool_name": "query"})
        assert r.status_code == 200, describe(r)
        answer = r.json()
        assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], answer
        assert answer["agent_id"] is None and answer["trust_level"] is None, answer
        assert answer["reason"].startswith("token: "), answer
        decisions = world.entries_after(mark, "mcp.decision")
        assert len(decisions) == 1, decisions
        assert decisions[0]["detail"]["decision"] == "DENY" and decisions[0]["detail"]["failed"] == "identity"
        assert decisions[0]["client"] == "atk-gate" and decisions[0]["agent"] is None, decisions
    elif surface == "gate-caller":
        r = requests.post(world.gate_url(), headers={"Authorization": f"Bearer {forged}"}, timeout=10,
                          json={"agent_id": "agent-alice", "mcp_server_id": "database-mcp", "tool_name": "query"})
        assert_oauth_error(r, 401, "invalid_token")
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="atk"'), describe(r)
    elif surface == "passport-bearer":
        r = requests.post(world.issuer() + "/agents/agent-alice/passport", timeout=10,
                          headers={"Authorization": f"Bearer {forged}"}, json={"public_key": _agent_jwk()})
        assert_oauth_error(r, 401, "invalid_token")
        assert r.headers["WWW-Authenticate"].startswith("Bearer"), describe(r)
    else:
        raise ValueError(surface)


@pytest.mark.parametrize("forgery,surface", [
    pytest.param(f, s, id=f"{f.name}-{s}") for f in FORGERIES for s in SURFACES if s not in f.not_at])
def test_forged_token_is_refused(attack_world: World, alice: str, forgery: Forgery, surface: str):
    """One forged or misused token at one surface."""
    forged = forgery.build(attack_world, alice)
    assert forged != alice
    check_surface(attack_world, surface, forged, alice, forgery.exchange_reason)


def test_attacker_key_urls_were_never_fetched(attack_world: World):
    """RFC 8725 §3.10: no jku or x5u of the forgeries above was requested."""
    assert [p for p in attack_world.fake.requests if p.startswith(("/jku", "/x5u"))] == []


def test_genuine_token_passes_every_surface(attack_world: World, alice: str):
    """The control for the refusals above: the untouched token is accepted everywhere."""
    w = attack_world
    assert w.introspect(alice).json()["active"] is True
    assert w.gate({"token": alice, "mcp_server_id": "database-mcp", "tool_name": "query"}).json()["decision"] == "ALLOW"
    assert w.exchange(alice).status_code == 200
    r = requests.post(w.issuer() + "/agents/agent-alice/passport", headers={"Authorization": f"Bearer {alice}"},
                      json={"public_key": _agent_jwk()}, timeout=10)
    assert r.status_code == 200, describe(r)


# -- over-long tokens ------------------------------------------------------------------------

def test_over_long_token_at_form_endpoints_is_413(attack_world: World, alice: str):
    """A 70 KiB token: introspection, revocation and exchange answer 413 (body limit)."""
    w = attack_world
    long_token = alice + "A" * (70 * 1024)
    assert_oauth_error(w.introspect(long_token), 413, "invalid_request")
    assert_oauth_error(w.revoke(long_token, "atk-gate"), 413, "invalid_request")
    assert_oauth_error(w.exchange(long_token), 413, "invalid_request")


def test_over_long_token_at_the_gate_is_denied(attack_world: World, alice: str):
    """A 512 KiB token in a gate body (under the 1 MiB JSON limit): DENY identity."""
    w = attack_world
    r = w.gate({"token": alice[:-2] + "A" * (512 * 1024), "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert r.status_code == 200, describe(r)
    assert r.json()["decision"] == "DENY" and r.json()["checks_failed"] == ["identity"]


def test_over_long_bearer_header_is_refused(attack_world: World, alice: str):
    """A 60 KiB Bearer header at the gate: refused (4xx), never a 5xx."""
    w = attack_world
    r = requests.post(w.gate_url(), headers={"Authorization": "Bearer " + alice + "A" * (60 * 1024)}, timeout=10,
                      json={"agent_id": "agent-alice", "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert 400 <= r.status_code < 500, describe(r)


# -- revocation: the wrong client, another realm --------------------------------------------

def test_revocation_by_another_client_is_refused(attack_world: World, alice: str):
    """RFC 7009 §2.1: atk-bob may not revoke atk-alice's token: 400 unauthorized_client,
    nothing revoked, no token.revoked entry."""
    w = attack_world
    mark = w.mark()
    r = w.revoke(alice, "atk-bob")
    body = assert_oauth_error(r, 400, "unauthorized_client")
    assert body["error_description"] == "the token was not issued to this client"
    assert w.entries_after(mark, "token.revoked") == []
    assert _active(w, alice)


def test_revocation_at_another_realm_revokes_nothing(attack_world: World, alice: str):
    """A client of realm atk2 of the same name revokes atk's token at atk2: 200 (not a token
    of that realm), and the token stays active at atk."""
    w = attack_world
    r = w.revoke(alice, "atk-gate", realm="atk2")
    assert r.status_code == 200 and r.content == b"", describe(r)
    assert _active(w, alice)


def test_revocation_without_client_authentication(attack_world: World, alice: str):
    r = requests.post(attack_world.revoke_url(), data={"token": alice}, timeout=10)
    assert_oauth_error(r, 401, "invalid_client")
    assert _active(attack_world, alice)


def test_introspection_by_a_client_of_another_realm(attack_world: World, alice: str):
    """atk2's atk-gate credentials at atk's introspection endpoint: 401 invalid_client."""
    w = attack_world
    r = requests.post(w.introspect_url(), auth=w.basic("atk-gate", "atk2"), data={"token": alice}, timeout=10)
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)


def test_revoked_token_everywhere(attack_world: World, alice: str):
    """A token its owner revoked: inactive, DENY at the gate, invalid_grant at exchange,
    401 as a Bearer credential; the revocation itself is audited once."""
    w = attack_world
    mark = w.mark()
    r = requests.post(w.revoke_url(), timeout=10, data={
        "token": alice, "client_id": "atk-alice", "client_secret": w.secrets["atk-alice"]})
    assert r.status_code == 200, describe(r)
    revoked = w.entries_after(mark, "token.revoked")
    assert len(revoked) == 1 and revoked[0]["detail"]["jti"] == forge.claims_of(alice)["jti"], revoked
    assert w.introspect(alice).json() == {"active": False}
    answer = w.gate({"token": alice, "mcp_server_id": "database-mcp", "tool_name": "query"}).json()
    assert answer["decision"] == "DENY" and answer["reason"] == "token: revoked", answer
    body = assert_oauth_error(w.exchange(alice), 400, "invalid_grant")
    assert body["error_description"] == "subject_token: the token has been revoked"
    r = requests.post(w.issuer() + "/agents/agent-alice/passport", headers={"Authorization": f"Bearer {alice}"},
                      json={"public_key": _agent_jwk()}, timeout=10)
    assert_oauth_error(r, 401, "invalid_token")
    r = requests.post(w.gate_url(), headers={"Authorization": f"Bearer {alice}"}, timeout=10,
                      json={"agent_id": "agent-alice", "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert_oauth_error(r, 401, "invalid_token")


# -- audiences ------------------------------------------------------------------------------

def test_token_for_another_audience_as_a_credential(attack_world: World):
    """atk-aud's tokens are for https://payments.atk.test only: not a credential at Herald's
    own APIs (RFC 9068 §4: the audience must name the resource)."""
    w = attack_world
    token = w.token("atk-aud")
    assert forge.claims_of(token)["aud"] == "https://payments.atk.test"
    r = requests.post(w.gate_url(), headers={"Authorization": f"Bearer {token}"}, timeout=10,
                      json={"agent_id": "agent-aud", "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert_oauth_error(r, 401, "invalid_token")
    r = requests.post(w.issuer() + "/agents/agent-aud/passport", headers={"Authorization": f"Bearer {token}"},
                      json={"public_key": _agent_jwk()}, timeout=10)
    assert_oauth_error(r, 401, "invalid_token")


def test_token_with_an_audience_array_naming_herald(attack_world: World):
    """atk-aud2's tokens carry an array of audiences including the issuer: accepted as a
    credential (the control of the case above)."""
    w = attack_world
    token = w.token("atk-aud2")
    assert forge.claims_of(token)["aud"] == ["https://payments.atk.test", w.issuer()]
    r = requests.post(w.gate_url(), headers={"Authorization": f"Bearer {token}"}, timeout=10,
                      json={"agent_id": "agent-aud2", "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert r.status_code == 200 and r.json()["decision"] == "ALLOW", describe(r)



