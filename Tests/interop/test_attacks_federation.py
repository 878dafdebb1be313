"""Attack corpus, surface 3: federation. A fake peer played by the test (``FakePeer``)
signs whatever the attack needs with the keys it holds:

* trust bundles the peer serves, refreshed by realm ``atk``: each bad bundle is refused
  with its documented code (docs/federation.md, "Accepting a bundle"), the peer's last
  good sequence stays, and its agent is still allowed at the gate on the last good view;
* the peer's access tokens at atk's MCP gate, introspection and RFC 8693 exchange
  (``DENY`` identity / ``{"active": false}`` / ``400 invalid_grant``);
* a peer agent whose id is also a local agent's: an exchanged token must keep speaking
  for the peer's agent, never for the local one;
* the entity configuration and bundle Herald publishes: verified with the pin by a
  third-party JOSE library, tampering detected, and refused by ``herald federation bundle
  verify`` offline.

Refreshes are not audited (docs/audit.md): the peer status carries the refusal.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from typing import Callable

import jwt as pyjwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws as jose_jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey

import forge
from attack_world import BUNDLE_PEER, PEER, World, peer_id
from conftest import herald_binary
from herald_helpers import (assert_oauth_error, describe, ec_public_jwk, hs256_signer, low_s_es256_signer,
                            rfc7638_thumbprint)

GATE_QUERY = {"mcp_server_id": "database-mcp", "tool_name": "query"}


# ================================================================== bundles

class BundleFeed:
    """The bundle peer's good feed: a fresh, increasing sequence per fetch."""

    def __init__(self, world: World):
        self.world = world
        self.next = 10**6

    def good(self, **kw) -> str:
        self.next += 1
        return self.world.fake.bundle(BUNDLE_PEER, self.next, **kw)

    def serve_good(self):
        self.world.fake.serve(BUNDLE_PEER, self.good)


@pytest.fixture(scope="module")
def bundle_peer(attack_world: World):
    w = attack_world
    feed = BundleFeed(w)
    feed.serve_good()
    entity = w.fake.entity(BUNDLE_PEER)
    added = w.admin.call("POST", "atk/federation/peers",
                         {"entity": entity, "pin": w.fake.pin, "max_level": "L2", "refresh": "1h"})
    assert added.status_code == 201 and added.json()["status"] == "ok", added.text
    yield feed
    w.admin.call("DELETE", f"atk/federation/peers/{peer_id(entity)}")


def _bundle_agent_allowed(w: World) -> bool:
    token = w.fake.agent_token(BUNDLE_PEER)
    answer = w.gate({"token": token, **GATE_QUERY}).json()
    return answer["decision"] == "ALLOW" and answer["federated_from"] == w.fake.entity(BUNDLE_PEER)


def _tampered(token: str, change: Callable[[dict], None]) -> str:
    claims = forge.claims_of(token)
    change(claims)
    return forge.with_claims(token, claims)


def _signed(w: World, feed: BundleFeed, header: dict | bytes | None = None, payload: dict | bytes | None = None,
            signer=None) -> str:
    feed.next += 1
    claims = payload if payload is not None else w.fake.bundle_claims(BUNDLE_PEER, feed.next)
    head = header if header is not None else {"alg": "ES256", "typ": "trust-bundle+jwt", "kid": w.fake.pin}
    return forge.sign_raw(head, claims, signer or low_s_es256_signer(w.fake.key))


def _duplicate_members(w: World, feed: BundleFeed, name: str, first, last) -> str:
    feed.next += 1
    members = list(w.fake.bundle_claims(BUNDLE_PEER, feed.next).items())
    members.insert(1, (name, first))
    members.append((name, last))
    members = [(k, v) for i, (k, v) in enumerate(members) if not (k == name and i not in (1, len(members) - 1))]
    return _signed(w, feed, payload=forge.json_with_duplicates(members))


def _attacker_key_as_pin(w: World, feed: BundleFeed) -> str:
    """An attacker key listed in federation_keys under the pin's kid, signing the bundle."""
    attacker = ec.generate_private_key(ec.SECP256R1())
    feed.next += 1
    claims = w.fake.bundle_claims(BUNDLE_PEER, feed.next)
    claims["federation_keys"] = {"keys": [dict(ec_public_jwk(attacker), alg="ES256", use="sig", kid=w.fake.pin)]}
    return forge.sign_raw({"alg": "ES256", "typ": "trust-bundle+jwt", "kid": w.fake.pin}, claims,
                          low_s_es256_signer(attacker))


def _delta(w: World, feed: BundleFeed, since: int, sequence: int | None = None) -> str:
    feed.next += 1
    claims = w.fake.bundle_claims(BUNDLE_PEER, sequence or feed.next, extra={"since": since, "removed": []})
    return _signed(w, feed, payload=claims)


@dataclass(frozen=True)
class BundleAttack:
    name: str
    description: str
    build: Callable[[World, BundleFeed, int], str | bytes]   # (world, feed, last accepted sequence)
    code: str


BUNDLE_ATTACKS = [
    BundleAttack("alg-none", "an unsigned bundle, alg none",
                 lambda w, f, last: _signed(w, f, header={"alg": "none", "typ": "trust-bundle+jwt", "kid": w.fake.pin},
                                            signer=lambda m: b""), "bad_signature"),
    BundleAttack("hs256-with-pinned-key", "algorithm confusion: HS256 keyed with the pinned key's JWK JSON",
                 lambda w, f, last: _signed(w, f, header={"alg": "HS256", "typ": "trust-bundle+jwt", "kid": w.fake.pin},
                                            signer=hs256_signer(json.dumps(ec_public_jwk(w.fake.key)).encode())),
                 "bad_signature"),
    BundleAttack("eddsa-with-ec-pin", "alg EdDSA over the pinned EC key",
                 lambda w, f, last: _signed(w, f, header={"alg": "EdDSA", "typ": "trust-bundle+jwt", "kid": w.fake.pin}),
                 "bad_signature"),
    BundleAttack("typ-missing", "no typ in the header",
                 lambda w, f, last: _signed(w, f, header={"alg": "ES256", "kid": w.fake.pin}), "wrong_type"),
    BundleAttack("typ-access-token", "typ at+jwt: a token served as a bundle",
                 lambda w, f, last: _signed(w, f, header={"alg": "ES256", "typ": "at+jwt", "kid": w.fake.pin}),
                 "wrong_type"),
    BundleAttack("typ-entity-statement", "typ entity-statement+jwt: an entity statement served as a bundle",
                 lambda w, f, last: _signed(w, f, header={"alg": "ES256", "typ": "entity-statement+jwt",
                                                          "kid": w.fake.pin}), "wrong_type"),
    BundleAttack("typ-duplicated", "two typ members, trust-bundle+jwt first and at+jwt last",
                 lambda w, f, last: _signed(w, f, header=forge.json_with_duplicates(
                     [("alg", "ES256"), ("typ", "trust-bundle+jwt"), ("kid", w.fake.pin), ("typ", "at+jwt")])),
                 "malformed"),
    BundleAttack("crit-unknown", "crit names an unknown extension",
                 lambda w, f, last: _signed(w, f, header={"alg": "ES256", "typ": "trust-bundle+jwt", "kid": w.fake.pin,
                                                          "crit": ["urn:x:attack"], "urn:x:attack": 1}), "malformed"),
    # No kid: the pinned key is tried, and the signature does not verify with it.
    BundleAttack("embedded-jwk", "signed by an attacker key embedded as a jwk header (no kid)",
                 lambda w, f, last: (lambda k: _signed(w, f, header={"alg": "ES256", "typ": "trust-bundle+jwt",
                                                                     "jwk": ec_public_jwk(k)},
                                                       signer=low_s_es256_signer(k)))(
                     ec.generate_private_key(ec.SECP256R1())), "bad_signature"),
    BundleAttack("jku-attacker-key", "signed by an attacker key advertised through jku",
                 lambda w, f, last: (lambda k: _signed(w, f, header={
                     "alg": "ES256", "typ": "trust-bundle+jwt", "kid": rfc7638_thumbprint(ec_public_jwk(k)),
                     "jku": w.fake.entity("jku") + "/jwks.json"}, signer=low_s_es256_signer(k)))(
                     ec.generate_private_key(ec.SECP256R1())), "unpinned_key"),
    # The kid is a label: the key with the pin's kid is the one whose thumbprint is the pin.
    BundleAttack("attacker-key-under-the-pin-kid", "an attacker key in federation_keys labelled with the pin as kid",
                 lambda w, f, last: _attacker_key_as_pin(w, f), "bad_signature"),
    BundleAttack("signed-by-issuer-key", "signed by the peer's token key (issuer_keys), not a federation key",
                 lambda w, f, last: _signed(w, f, header={"alg": "ES256", "typ": "trust-bundle+jwt",
                                                          "kid": w.fake.issuer_kid},
                                            signer=low_s_es256_signer(w.fake.issuer_key)), "unpinned_key"),
    BundleAttack("agent-level-raised", "an agent's trust_level raised in the payload, the signature kept",
                 lambda w, f, last: _tampered(f.good(), lambda c: c["agents"][0].update(trust_level=4, sub="raised")),
                 "bad_signature"),
    BundleAttack("high-s-twin", "signature malleability: (r, n − s) of a fresh valid bundle",
                 lambda w, f, last: forge.high_s_twin(f.good()), "bad_signature"),
    BundleAttack("der-signature", "the signature as ASN.1 DER", lambda w, f, last: forge.der_signature(f.good()),
                 "bad_signature"),
    BundleAttack("empty-signature", "the signature segment empty",
                 lambda w, f, last: forge.with_signature(f.good(), b""), "bad_signature"),
    BundleAttack("sequence-downgraded", "a freshly signed bundle with a lower sequence than the last accepted",
                 lambda w, f, last: w.fake.bundle(BUNDLE_PEER, last - 1000), "replayed"),
    BundleAttack("sequence-equal", "a freshly signed bundle repeating the last accepted sequence",
                 lambda w, f, last: w.fake.bundle(BUNDLE_PEER, last), "replayed"),
    BundleAttack("delta-on-another-base", "a delta relative to a sequence other than the last accepted",
                 lambda w, f, last: _delta(w, f, since=last - 1), "delta_base_mismatch"),
    BundleAttack("delta-since-not-below-sequence", "a delta whose since is not below its own sequence",
                 lambda w, f, last: _delta(w, f, since=last + 10, sequence=last + 5), "malformed"),
    BundleAttack("duplicate-sequence", "two sequence members: a replayed one first, a fresh one last",
                 lambda w, f, last: _duplicate_members(w, f, "sequence", last - 5, last + 10**6), "malformed"),
    BundleAttack("duplicate-iss", "two iss members: another entity first, the peer last",
                 lambda w, f, last: _duplicate_members(w, f, "iss", "https://impostor.example", w.fake.entity(BUNDLE_PEER)),
                 "malformed"),
    BundleAttack("duplicate-agent", "the same sub listed twice, active and revoked",
                 lambda w, f, last: _signed(w, f, payload=w.fake.bundle_claims(BUNDLE_PEER, f.next + 1, agents=[
                     {"sub": "twin", "trust_level": 1, "trust_score": 1, "pipeline_stage": "ACTIVE", "status": "revoked",
                      "updated_at": 1},
                     {"sub": "twin", "trust_level": 4, "trust_score": 99, "pipeline_stage": "ACTIVE", "status": "active",
                      "updated_at": 1}])), "malformed"),
    BundleAttack("trust-level-5", "an agent at L5, outside 0–4",
                 lambda w, f, last: _signed(w, f, payload=w.fake.bundle_claims(BUNDLE_PEER, f.next + 1, agents=[
                     {"sub": "high", "trust_level": 5, "trust_score": 1, "pipeline_stage": "ACTIVE", "status": "active",
                      "updated_at": 1}])), "malformed"),
    BundleAttack("sequence-string", "sequence as a JSON string",
                 lambda w, f, last: _signed(w, f, payload=dict(w.fake.bundle_claims(BUNDLE_PEER, 1),
                                                               sequence=str(last + 10**6))), "malformed"),
    BundleAttack("b64-padding", "'=' padding on the signature segment",
                 lambda w, f, last: (lambda t: t + "=" * (-len(t) % 4) if len(t.split(".")[2]) % 4 else t + "==")(
                     f.good()), "malformed"),
    BundleAttack("five-segments", "five segments, JWE-like", lambda w, f, last: f.good() + ".AAAA.BBBB", "malformed"),
    BundleAttack("expired", "exp in the past", lambda w, f, last: w.fake.bundle(BUNDLE_PEER, last + 10**6, exp_in=-10),
                 "expired"),
    BundleAttack("issuer-of-another-entity", "iss another entity",
                 lambda w, f, last: w.fake.bundle(BUNDLE_PEER, last + 10**6, iss=w.fake.entity("elsewhere")),
                 "issuer_mismatch"),
]


def _refresh(w: World) -> dict:
    return w.refresh_peer(w.fake.entity(BUNDLE_PEER))


@pytest.mark.parametrize("attack", BUNDLE_ATTACKS, ids=lambda a: a.name)
def test_bad_bundle_is_refused_and_the_last_good_one_stays(attack_world: World, bundle_peer: BundleFeed,
                                                           attack: BundleAttack):
    w = attack_world
    bundle_peer.serve_good()
    good = _refresh(w)
    assert good["status"] == "ok", good
    last = good["sequence"]
    body = attack.build(w, bundle_peer, last)
    w.fake.serve(BUNDLE_PEER, body)
    try:
        status = _refresh(w)
        assert status["status"] == "rejected" and status["code"] == attack.code, (attack.name, status)
        assert status["reason"] and status["sequence"] == last, status
        assert _bundle_agent_allowed(w), "the last good bundle must stay in force"
    finally:
        bundle_peer.serve_good()


def test_bundle_replayed_after_a_newer_one(attack_world: World, bundle_peer: BundleFeed):
    """The exact bytes of a bundle accepted earlier, served after a newer one: replayed."""
    w = attack_world
    older = bundle_peer.good()
    w.fake.serve(BUNDLE_PEER, older)
    assert _refresh(w)["status"] == "ok"
    bundle_peer.serve_good()
    newer = _refresh(w)
    assert newer["status"] == "ok" and newer["sequence"] > forge.claims_of(older)["sequence"]
    w.fake.serve(BUNDLE_PEER, older)
    try:
        status = _refresh(w)
        assert status["status"] == "rejected" and status["code"] == "replayed", status
        assert status["sequence"] == newer["sequence"]
    finally:
        bundle_peer.serve_good()


def test_bundle_suspending_an_agent_is_not_undone_by_an_older_one(attack_world: World, bundle_peer: BundleFeed):
    """A downgrade attack on status: the peer suspends its agent (newer bundle); an attacker
    replays the older bundle in which the agent was active: refused, the agent stays DENY."""
    w = attack_world
    active = bundle_peer.good()
    w.fake.serve(BUNDLE_PEER, active)
    assert _refresh(w)["status"] == "ok"
    w.fake.serve(BUNDLE_PEER, lambda: bundle_peer.good(status="suspended"))
    assert _refresh(w)["status"] == "ok"
    assert not _bundle_agent_allowed(w)
    w.fake.serve(BUNDLE_PEER, active)
    try:
        assert _refresh(w)["code"] == "replayed"
        answer = w.gate({"token": w.fake.agent_token(BUNDLE_PEER), **GATE_QUERY}).json()
        assert answer["decision"] == "DENY" and "status" in answer["checks_failed"], answer
    finally:
        bundle_peer.serve_good()
        assert _refresh(w)["status"] == "ok"


def test_jku_of_bundles_was_never_fetched(attack_world: World):
    assert [p for p in attack_world.fake.requests if p.startswith("/jku")] == []


# ================================================================== peer tokens

@dataclass(frozen=True)
class PeerTokenAttack:
    name: str
    description: str
    build: Callable[[World], str]
    reason: str            # a fragment of the exchange's invalid_grant description


def _peer(w: World, **kw) -> str:
    return w.fake.agent_token(PEER, **kw)


def _peer_raw(w: World, header, payload) -> str:
    return forge.sign_raw(header, payload, low_s_es256_signer(w.fake.issuer_key))


def _peer_claims(w: World, **overrides) -> dict:
    return w.fake.agent_claims(PEER, **overrides)


def _peer_header(w: World, **overrides) -> dict:
    return dict({"alg": "ES256", "typ": "at+jwt", "kid": w.fake.issuer_kid}, **overrides)


PEER_TOKEN_ATTACKS = [
    PeerTokenAttack("alg-none", "an unsigned peer token",
                    lambda w: forge.sign_raw(_peer_header(w, alg="none"), _peer_claims(w), None), "not signed by a key"),
    PeerTokenAttack("hs256-with-issuer-key", "HS256 keyed with the peer's published token key",
                    lambda w: forge.sign_raw(_peer_header(w, alg="HS256"), _peer_claims(w),
                                             hs256_signer(json.dumps(ec_public_jwk(w.fake.issuer_key)).encode())),
                    "not signed by a key"),
    PeerTokenAttack("signed-by-federation-key", "signed by the peer's federation key, which signs bundles only",
                    lambda w: _peer(w, header=_peer_header(w, kid=w.fake.pin), key=w.fake.key), "not signed by a key"),
    PeerTokenAttack("signed-by-unknown-key", "signed by a key not in the peer's last good bundle",
                    lambda w: _peer(w, key=ec.generate_private_key(ec.SECP256R1())), "not signed by a key"),
    PeerTokenAttack("kid-of-local-realm", "the peer's key, but the header kid of a key of realm atk",
                    lambda w: _peer(w, header=_peer_header(w, kid=forge.header_of(w.token("atk-bob"))["kid"])),
                    "not signed by a key"),
    PeerTokenAttack("local-iss-peer-key", "iss of realm atk, signed by the peer's token key",
                    lambda w: _peer(w, iss=w.issuer()), "not signed by realm atk"),
    PeerTokenAttack("other-entity-iss", "iss a peer that is not configured",
                    lambda w: _peer(w, iss=w.fake.entity("stranger")), "neither this realm nor a peer"),
    PeerTokenAttack("typ-missing", "no typ", lambda w: _peer(w, header={"alg": "ES256", "kid": w.fake.issuer_kid}),
                    "not an access token"),
    PeerTokenAttack("typ-passport", "typ agent-passport+jwt on token claims",
                    lambda w: _peer(w, header=_peer_header(w, typ="agent-passport+jwt")), "not an access token"),
    PeerTokenAttack("crit-unknown", "crit names an unknown extension",
                    lambda w: _peer(w, header=_peer_header(w, crit=["urn:x:attack"])), "not a JWS"),
    PeerTokenAttack("expired", "exp a second ago", lambda w: _peer(w, iat=int(time.time()) - 100, exp=int(time.time()) - 1),
                    "has expired"),
    PeerTokenAttack("nbf-future", "nbf an hour ahead (RFC 7519 §4.1.5: must not be accepted before)",
                    lambda w: _peer(w, nbf=int(time.time()) + 3600), "not valid yet"),
    PeerTokenAttack("exp-string", "exp as a JSON string", lambda w: _peer(w, exp=str(int(time.time()) + 300)),
                    "lacks iss, sub, aud or exp"),
    PeerTokenAttack("duplicate-sub", "two sub members: the peer's active agent first, agent-actor last",
                    lambda w: _peer_raw(w, _peer_header(w), forge.json_with_duplicates(
                        list(_peer_claims(w).items()) + [("sub", "agent-actor")])), "duplicate"),
    PeerTokenAttack("duplicate-iss", "two iss members: the peer first, realm atk last",
                    lambda w: _peer_raw(w, _peer_header(w), forge.json_with_duplicates(
                        list(_peer_claims(w).items()) + [("iss", w.issuer())])), "duplicate"),
    PeerTokenAttack("header-duplicate-kid", "two kid members: the issuer key first, an unknown kid last",
                    lambda w: _peer_raw(w, forge.json_with_duplicates(
                        [("alg", "ES256"), ("typ", "at+jwt"), ("kid", w.fake.issuer_kid), ("kid", "other")]),
                        _peer_claims(w)), "duplicate"),
    PeerTokenAttack("agent-not-listed", "an agent the peer's bundle does not list", lambda w: _peer(w, sub="nobody"),
                    "does not vouch for agent nobody"),
    PeerTokenAttack("high-s-twin", "signature malleability: (r, n − s)", lambda w: forge.high_s_twin(_peer(w)),
                    "not signed by a key"),
    PeerTokenAttack("payload-edited", "sub changed to agent-actor, the signature kept",
                    lambda w: forge.with_claims(_peer(w), dict(_peer_claims(w), sub="agent-actor")),
                    "not signed by a key"),
]


@pytest.mark.parametrize("surface", ["gate", "introspection", "exchange"])
@pytest.mark.parametrize("attack", PEER_TOKEN_ATTACKS, ids=lambda a: a.name)
def test_forged_peer_token_is_refused(attack_world: World, attack: PeerTokenAttack, surface: str):
    w = attack_world
    token = attack.build(w)
    if surface == "gate":
        mark = w.mark()
        answer = w.gate({"token": token, **GATE_QUERY}).json()
        assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], answer
        assert answer["federated_from"] is None and answer["agent_id"] is None, answer
        # A peer credential that is not accepted is tried as one of this realm, whose
        # check's reason the answer carries (docs/federation.md, "MCP trust gate").
        assert answer["reason"] == "token: the token is not signed by realm atk", answer
        entries = w.entries_after(mark, "mcp.decision")
        assert len(entries) == 1 and entries[0]["detail"]["failed"] == "identity", entries
    elif surface == "introspection":
        r = w.introspect(token)
        assert r.status_code == 200 and r.json() == {"active": False}, describe(r)
    else:
        mark = w.mark()
        body = assert_oauth_error(w.exchange(token), 400, "invalid_grant")
        assert body["error_description"].startswith("subject_token: ") and attack.reason in body["error_description"], body
        denied = w.entries_after(mark, "token.denied")
        assert len(denied) == 1 and denied[0]["detail"] == {"error": "invalid_grant"}, denied


def test_genuine_peer_token_is_accepted_at_the_capped_level(attack_world: World):
    """The control: the peer's honest token is ALLOW at L3 (its L4 capped by max_level)."""
    w = attack_world
    token = _peer(w)
    answer = w.gate({"token": token, **GATE_QUERY}).json()
    assert answer["decision"] == "ALLOW" and answer["trust_level"] == 3, answer
    assert answer["federated_from"] == w.fake.entity(PEER)
    seen = w.introspect(token).json()
    assert seen["active"] is True and seen["foreign"] is True and seen["local_trust_level"] == 3, seen


def test_peer_reports_the_agent_suspended(attack_world: World):
    """A genuine token of an agent the peer lists as suspended: DENY status, inactive,
    invalid_grant."""
    w = attack_world
    token = _peer(w, sub="fake-stopped")
    answer = w.gate({"token": token, **GATE_QUERY}).json()
    assert answer["decision"] == "DENY" and "status" in answer["checks_failed"], answer
    assert w.introspect(token).json() == {"active": False}
    body = assert_oauth_error(w.exchange(token), 400, "invalid_grant")
    assert "reports the agent suspended" in body["error_description"]


def test_status_reference_pointing_elsewhere_is_not_followed(attack_world: World):
    """A peer token of the suspended agent whose status claim points at a status list the
    attacker serves (all VALID): Herald judges by the peer's bundle and never fetches it."""
    w = attack_world
    uri = w.fake.entity("status-list") + "/statuslists/1"
    w.fake.serve("status-list", "attacker status list")
    token = _peer(w, sub="fake-stopped", status={"status_list": {"idx": 0, "uri": uri}})
    answer = w.gate({"token": token, **GATE_QUERY}).json()
    assert answer["decision"] == "DENY" and "status" in answer["checks_failed"], answer
    assert w.introspect(token).json() == {"active": False}
    assert_oauth_error(w.exchange(token), 400, "invalid_grant")
    assert [p for p in w.fake.requests if p.startswith("/status-list")] == []


# ================================================================== peer passports

def _peer_passport_claims(w: World, **overrides) -> dict:
    now = int(time.time())
    claims = {"iss": w.fake.entity(PEER), "sub": "fake-agent", "iat": now, "exp": now + 86400,
              "jti": "asp_" + "ab" * 16, "agent": {"name": "Fake", "version": "1", "capabilities": []},
              "trust_level": 4, "trust_score": 90, "pipeline_stage": "ACTIVE",
              "cnf": {"jwk": ec_public_jwk(ec.generate_private_key(ec.SECP256R1()))}}
    claims.update(overrides)
    return claims


def _peer_passport(w: World, header=None, **overrides) -> str:
    head = header or {"alg": "ES256", "typ": "agent-passport+jwt", "kid": w.fake.issuer_kid}
    return forge.sign_raw(head, _peer_passport_claims(w, **overrides), low_s_es256_signer(w.fake.issuer_key))


PEER_PASSPORT_ATTACKS = [
    ("alg-none", "an unsigned peer passport",
     lambda w: forge.sign_raw({"alg": "none", "typ": "agent-passport+jwt"}, _peer_passport_claims(w), None)),
    ("trust-level-raised", "trust_level raised from 1 to 4, the payload re-encoded under the kept signature",
     lambda w: forge.with_claims(_peer_passport(w, trust_level=1), _peer_passport_claims(w, trust_level=4))),
    ("high-s-twin", "signature malleability: (r, n − s)", lambda w: forge.high_s_twin(_peer_passport(w))),
    ("duplicate-sub", "two sub members: the active agent first, the suspended one last",
     lambda w: forge.sign_raw({"alg": "ES256", "typ": "agent-passport+jwt", "kid": w.fake.issuer_kid},
                              forge.json_with_duplicates(list(_peer_passport_claims(w).items())
                                                         + [("sub", "fake-stopped")]),
                              low_s_es256_signer(w.fake.issuer_key))),
    ("typ-access-token", "an access token of the peer presented as a passport", lambda w: _peer(w)),
    ("expired", "exp a second ago", lambda w: _peer_passport(w, iat=int(time.time()) - 100, exp=int(time.time()) - 1)),
]


@pytest.mark.parametrize("name,description,build", PEER_PASSPORT_ATTACKS, ids=[a[0] for a in PEER_PASSPORT_ATTACKS])
def test_forged_peer_passport_at_the_gate(attack_world: World, name, description, build):
    """A peer's JWT passport that does not verify as one: DENY identity, audited."""
    w = attack_world
    mark = w.mark()
    answer = w.gate({"passport": build(w), **GATE_QUERY}).json()
    assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], (name, answer)
    assert answer["agent_id"] is None and answer["federated_from"] is None, answer
    entries = w.entries_after(mark, "mcp.decision")
    assert len(entries) == 1 and entries[0]["detail"]["failed"] == "identity", entries


def test_genuine_peer_passport_is_allowed_and_not_introspected(attack_world: World):
    """The control: the peer's honest passport is ALLOW at the capped L3; introspection does
    not take passports (docs/federation.md): {"active": false}."""
    w = attack_world
    passport = _peer_passport(w)
    answer = w.gate({"passport": passport, **GATE_QUERY}).json()
    assert answer["decision"] == "ALLOW" and answer["trust_level"] == 3, answer
    assert answer["federated_from"] == w.fake.entity(PEER)
    assert w.introspect(passport).json() == {"active": False}


# ================================================================== one id, two agents

def _exchanged_for_peer_actor(w: World) -> str:
    """An atk token exchanged (by atk-actor) for the PEER's agent-actor, which shares its id
    with atk's own L4 agent-actor."""
    r = w.exchange(_peer(w, sub="agent-actor"))
    assert r.status_code == 200, describe(r)
    token = r.json()["access_token"]
    claims = forge.claims_of(token)
    assert claims["sub"] == "agent-actor" and claims["federated_from"] == w.fake.entity(PEER), claims
    assert claims["mcps"]["trust_level"] == 3, claims
    return token


def test_re_exchanging_a_peer_agents_token_keeps_it_the_peers_agent(attack_world: World):
    """Exchanging the exchanged token again must not turn the peer's agent-actor (L3 here)
    into atk's own agent-actor (L4): the result still names the peer, at most L3."""
    w = attack_world
    first = _exchanged_for_peer_actor(w)
    r = w.exchange(first)
    if r.status_code == 200:
        claims = forge.claims_of(r.json()["access_token"])
        assert claims.get("federated_from") == w.fake.entity(PEER), claims
        assert claims["mcps"]["trust_level"] <= 3, claims
    else:
        assert_oauth_error(r, 400, "invalid_grant")


def test_peer_agents_token_gets_no_passport_for_the_local_namesake(attack_world: World):
    """The exchanged token of the peer's agent-actor as Bearer at atk's passport endpoint for
    agent-actor: refused (403), no passport for atk's own L4 agent-actor."""
    w = attack_world
    first = _exchanged_for_peer_actor(w)
    r = requests.post(w.issuer() + "/agents/agent-actor/passport", headers={"Authorization": f"Bearer {first}"},
                      json={"public_key": ec_public_jwk(ec.generate_private_key(ec.SECP256R1()))}, timeout=10)
    assert_oauth_error(r, 403, "insufficient_scope")


def test_peer_agents_exchanged_token_at_the_gate_is_judged_as_the_peers(attack_world: World):
    """The control: at the gate the exchanged token is judged on the peer's word (L3)."""
    w = attack_world
    answer = w.gate({"token": _exchanged_for_peer_actor(w), "mcp_server_id": "payments-mcp",
                     "tool_name": "charge"}).json()
    assert answer["federated_from"] == w.fake.entity(PEER) and answer["trust_level"] == 3, answer


# ================================================================== what Herald publishes

def _federation_pin(w: World, realm="atk") -> tuple[str, dict]:
    info = w.admin.call("GET", f"{realm}/federation").json()
    statement = requests.get(w.issuer(realm) + "/.well-known/openid-federation", timeout=10).text
    key = next(k for k in forge.claims_of(statement)["jwks"]["keys"] if rfc7638_thumbprint(k) == info["pin"])
    return info["pin"], key


def test_entity_configuration_verifies_with_the_pin_and_detects_tampering(attack_world: World):
    """A relying party verifies atk's entity configuration with the pinned key only (PyJWT,
    joserfc), and the same signature over a changed bundle endpoint fails for both."""
    w = attack_world
    pin, key = _federation_pin(w)
    statement = requests.get(w.issuer() + "/.well-known/openid-federation", timeout=10).text
    assert forge.header_of(statement)["typ"] == "entity-statement+jwt" and forge.header_of(statement)["kid"] == pin
    public = pyjwt.PyJWK(key).key
    claims = pyjwt.decode(statement, public, algorithms=["ES256"], options={"verify_aud": False})
    assert claims["iss"] == claims["sub"] == w.issuer()
    jose_jws.deserialize_compact(statement, ECKey.import_key(key), algorithms=["ES256"])

    tampered = _tampered(statement, lambda c: c["metadata"]["agent_trust_issuer"].update(
        federation_bundle_endpoint="https://attacker.example/bundle"))
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(tampered, public, algorithms=["ES256"], options={"verify_aud": False})
    with pytest.raises(BadSignatureError):
        jose_jws.deserialize_compact(tampered, ECKey.import_key(key), algorithms=["ES256"])
    unsigned = forge.sign_raw(dict(forge.header_of(statement), alg="none"), forge.claims_of(statement), None)
    with pytest.raises(pyjwt.InvalidAlgorithmError):
        pyjwt.decode(unsigned, public, algorithms=["ES256"], options={"verify_aud": False})


def test_published_bundle_tampering_is_refused_offline(attack_world: World, tmp_path):
    """atk's own bundle passes `herald federation bundle verify` with the pin; the same bundle
    with an agent's level raised (signature kept) is refused with bad_signature."""
    w = attack_world
    pin, key = _federation_pin(w)
    bundle = requests.get(w.issuer() + "/federation/bundle", timeout=10).text
    assert pyjwt.decode(bundle, pyjwt.PyJWK(key).key, algorithms=["ES256"])["iss"] == w.issuer()
    tampered = _tampered(bundle, lambda c: c["agents"][0].update(trust_level=(c["agents"][0]["trust_level"] + 1) % 5))

    def verify(text: str) -> subprocess.CompletedProcess:
        path = tmp_path / f"b{len(list(tmp_path.iterdir()))}.jwt"
        path.write_text(text)
        return subprocess.run([str(herald_binary()), "federation", "bundle", "verify", str(path),
                               "--issuer", w.issuer(), "--pin", pin], capture_output=True, text=True, timeout=60)

    ok = verify(bundle)
    assert ok.returncode == 0, ok.stderr + ok.stdout
    bad = verify(tampered)
    assert bad.returncode != 0 and "bad_signature" in bad.stderr + bad.stdout, bad.stderr + bad.stdout
    twin = verify(forge.high_s_twin(bundle))
    assert twin.returncode != 0 and "bad_signature" in twin.stderr + twin.stdout, twin.stderr + twin.stdout
