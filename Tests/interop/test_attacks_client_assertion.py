"""Attack corpus, surface 1: private_key_jwt client assertions at the token endpoint
(RFC 7523 §3, RFC 7521 §4.2, RFC 8725; wire-formats §3).

Every attack is signed with the client's real private key unless it says otherwise, so
that the one thing wrong with it is what its name says. Each must be refused with
RFC 6749 §5.2 ``401 invalid_client`` (with ``WWW-Authenticate``) and a ``token.denied``
audit entry naming the client, ``detail.error = invalid_client`` and an internal reason
that names what was wrong (docs/audit.md), never a 5xx and never a token.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

import forge
from attack_world import World
from herald_helpers import (assert_oauth_error, assertion_claims, describe, ec_public_jwk, eddsa_signer,
                            hs256_signer, public_key_pem)


def claims(world: World, client: str, **overrides) -> dict:
    aud = overrides.pop("aud", world.token_endpoint())
    return assertion_claims(client, aud, **overrides)


def es256(world: World, client: str, header=None, **overrides) -> str:
    """An honest ES256 assertion of `client` (low-S, its registered kid)."""
    head = header if header is not None else {"alg": "ES256", "typ": "JWT", "kid": world.kids[client]}
    return forge.sign_raw(head, claims(world, client, **overrides), forge.low_s_es256_signer(world.keys[client]))


def signed(world: World, client: str, header, payload) -> str:
    """Exactly these header and payload (dict or raw bytes), signed low-S by the client's key."""
    return forge.sign_raw(header, payload, forge.low_s_es256_signer(world.keys[client]))


@dataclass(frozen=True)
class Attack:
    name: str
    description: str
    build: Callable[[World, str], str]     # (world, the attack's client) -> the client_assertion
    reason: str                            # a fragment of the audited internal reason
    # Each group of attacks has its own client, so that no client collects enough failures
    # to be locked out by the brute-force limits (docs/configuration.md, brute_force).
    client: str = "atk-es"


def _jwk_json(world: World, client: str) -> bytes:
    return json.dumps(dict(ec_public_jwk(world.keys[client]), kid=world.kids[client]), separators=(",", ":")).encode()


def _signed_by_attacker(world: World, client: str, **header_extra) -> str:
    """The client's claims under its kid, signed by a fresh attacker key."""
    attacker = ec.generate_private_key(ec.SECP256R1())
    header = {"alg": "ES256", "typ": "JWT", "kid": world.kids[client], **header_extra}
    return forge.sign_raw(header, claims(world, client), forge.low_s_es256_signer(attacker))


def _embedded_jwk(world: World, client: str) -> str:
    attacker = ec.generate_private_key(ec.SECP256R1())
    header = {"alg": "ES256", "typ": "JWT", "jwk": ec_public_jwk(attacker)}
    return forge.sign_raw(header, claims(world, client), forge.low_s_es256_signer(attacker))


def _with_segment(token: str, index: int, change: Callable[[str], str]) -> str:
    ps = token.split(".")
    ps[index] = change(ps[index])
    return ".".join(ps)


def _segment_with(world: World, client: str, chars: str, index: int) -> str:
    """An honest assertion whose segment `index` contains one of `chars` (retried)."""
    for _ in range(200):
        token = es256(world, client, pad="?>~" * (1 + int(time.time_ns()) % 7))
        if any(c in token.split(".")[index] for c in chars):
            return token
    raise AssertionError("no such assertion in 200 tries")


def _duplicates(world: World, client: str, name: str, value) -> bytes:
    return forge.json_with_duplicates(list(claims(world, client).items()) + [(name, value)])


def _now() -> int:
    return int(time.time())


KEYS, AUD, DUP, ENC, TIME, TYP = "atk-keysel", "atk-audc", "atk-dup", "atk-enc", "atk-time", "atk-typ"

ATTACKS = [
    # -- algorithm -----------------------------------------------------------------------------
    Attack("alg-none", "unsigned assertion, alg none",
           lambda w, c: forge.sign_raw({"alg": "none", "typ": "JWT"}, claims(w, c), None), "alg none is not accepted"),
    Attack("alg-None", "unsigned assertion, alg None (case variant)",
           lambda w, c: forge.sign_raw({"alg": "None"}, claims(w, c), None), "alg None is not accepted"),
    Attack("alg-NONE", "unsigned assertion, alg NONE (case variant)",
           lambda w, c: forge.sign_raw({"alg": "NONE"}, claims(w, c), None), "alg NONE is not accepted"),
    Attack("alg-none-with-signature", "alg none but a valid ES256 signature attached",
           lambda w, c: signed(w, c, {"alg": "none"}, claims(w, c)), "alg none is not accepted"),
    Attack("alg-lowercase-es256", "alg es256: algorithm names are case-sensitive (RFC 7515 §4.1.1)",
           lambda w, c: es256(w, c, header={"alg": "es256", "typ": "JWT"}), "alg es256 is not accepted"),
    Attack("hs256-public-key-pem", "algorithm confusion: HS256 keyed with the client's public key PEM",
           lambda w, c: forge.sign_raw({"alg": "HS256", "typ": "JWT"}, claims(w, c),
                                       hs256_signer(public_key_pem(w.keys[c]))), "alg HS256 is not accepted"),
    Attack("hs256-public-jwk-json", "algorithm confusion: HS256 keyed with the client's public JWK JSON",
           lambda w, c: forge.sign_raw({"alg": "HS256", "typ": "JWT"}, claims(w, c), hs256_signer(_jwk_json(w, c))),
           "alg HS256 is not accepted"),
    Attack("eddsa-for-ec-client", "ES256→EdDSA swap: an EC client's assertion as EdDSA (any Ed25519 key)",
           lambda w, c: forge.sign_raw({"alg": "EdDSA", "typ": "JWT"}, claims(w, c),
                                       eddsa_signer(ed25519.Ed25519PrivateKey.generate())),
           "does not match any registered key's algorithm"),
    Attack("es256-for-okp-client", "EdDSA→ES256 swap: an Ed25519 client's assertion as ES256 (any EC key)",
           lambda w, c: forge.sign_raw({"alg": "ES256", "typ": "JWT"}, claims(w, c),
                                       forge.low_s_es256_signer(ec.generate_private_key(ec.SECP256R1()))),
           "does not match any registered key's algorithm", client="atk-ed"),
    Attack("eddsa-with-kid-of-ec-key", "client with both key types: alg EdDSA but kid of its EC key",
           lambda w, c: forge.sign_raw({"alg": "EdDSA", "kid": w.kids[c]}, claims(w, c), eddsa_signer(w.keys["atk-dual-ed"])),
           "no registered key has kid", client="atk-dual"),
    Attack("es256-header-ed25519-signature", "client with both key types: alg ES256, EC kid, Ed25519 signature bytes",
           lambda w, c: forge.sign_raw({"alg": "ES256", "kid": w.kids[c]}, claims(w, c), eddsa_signer(w.keys["atk-dual-ed"])),
           "the signature does not verify", client="atk-dual"),
    # -- key selection ---------------------------------------------------------------------------
    Attack("kid-of-another-client", "signed with another client's key, header kid of that key",
           lambda w, c: forge.sign_raw({"alg": "ES256", "kid": w.kids["atk-es-b"]}, claims(w, c),
                                       forge.low_s_es256_signer(w.keys["atk-es-b"])),
           "no registered key has kid", client=KEYS),
    Attack("key-of-same-client-in-another-realm", "signed with the key realm atk2 registers for a client of the same id",
           lambda w, c: forge.sign_raw({"alg": "ES256", "typ": "JWT"}, claims(w, "atk-es"),
                                       forge.low_s_es256_signer(w.keys["atk2-es"])),
           "the signature does not verify"),
    Attack("kid-right-key-wrong", "header kid of the client's key, signed by an attacker key",
           lambda w, c: _signed_by_attacker(w, c), "the signature does not verify", client=KEYS),
    Attack("jku-header", "attacker key advertised through jku (RFC 8725 §3.10: must not be fetched)",
           lambda w, c: _signed_by_attacker(w, c, jku=w.fake.entity("jku") + "/jwks.json"),
           "the signature does not verify", client=KEYS),
    Attack("x5u-header", "attacker key advertised through x5u",
           lambda w, c: _signed_by_attacker(w, c, x5u=w.fake.entity("x5u") + "/cert.pem"),
           "the signature does not verify", client=KEYS),
    Attack("embedded-jwk-header", "attacker public key embedded as a jwk header member",
           _embedded_jwk, "the signature does not verify", client=KEYS),
    Attack("crit-unknown", "crit names an extension Herald does not know (RFC 7515 §4.1.11)",
           lambda w, c: es256(w, c, header={"alg": "ES256", "kid": w.kids[c], "crit": ["urn:x:attack"],
                                            "urn:x:attack": True}), "marks extensions critical", client=KEYS),
    Attack("crit-empty", "crit present but empty (RFC 7515 §4.1.11: must not be empty)",
           lambda w, c: es256(w, c, header={"alg": "ES256", "kid": w.kids[c], "crit": []}),
           "marks extensions critical", client=KEYS),
    # -- typ ------------------------------------------------------------------------------------
    Attack("typ-access-token", "an at+jwt typ: a token type presented as a client assertion",
           lambda w, c: es256(w, c, header={"alg": "ES256", "typ": "at+jwt"}),
           "typ at+jwt is not a client assertion type", client=TYP),
    Attack("typ-passport", "an agent-passport+jwt typ presented as a client assertion",
           lambda w, c: es256(w, c, header={"alg": "ES256", "typ": "agent-passport+jwt"}),
           "typ agent-passport+jwt is not a client assertion type", client=TYP),
    Attack("typ-duplicated", "two typ members, JWT first and at+jwt last (RFC 7515 §4: names must be unique)",
           lambda w, c: signed(w, c, forge.json_with_duplicates([("alg", "ES256"), ("typ", "JWT"), ("typ", "at+jwt")]),
                               claims(w, c)), "duplicate", client=TYP),
    # -- times (30 s leeway, at most 5 minutes ahead) ------------------------------------------
    Attack("exp-just-expired", "exp 31 s ago: just outside the 30 s leeway",
           lambda w, c: es256(w, c, iat=_now() - 120, exp=_now() - 31), "expired", client=TIME),
    Attack("exp-far-future", "exp 10 minutes ahead: an assertion may live at most 5 minutes",
           lambda w, c: es256(w, c, exp=_now() + 600), "more than 5 minutes ahead", client=TIME),
    Attack("exp-year-3000", "exp in the year 3000", lambda w, c: es256(w, c, exp=32503680000),
           "more than 5 minutes ahead", client=TIME),
    Attack("nbf-future", "nbf 2 minutes ahead", lambda w, c: es256(w, c, nbf=_now() + 120), "not yet valid", client=TIME),
    Attack("iat-future", "iat 2 minutes ahead", lambda w, c: es256(w, c, iat=_now() + 120), "issued in the future",
           client=TIME),
    Attack("exp-string", "exp as a JSON string (RFC 7519 §2: NumericDate is a number)",
           lambda w, c: es256(w, c, exp=str(_now() + 60)), "of the right types", client=TIME),
    Attack("exp-overflow", "exp 1e400: no IEEE double holds it",
           lambda w, c: signed(w, c, {"alg": "ES256"}, json.dumps(claims(w, c)).replace(
               '"exp": ', '"exp": 1e400, "x": ').encode()), "of the right types", client=TIME),
    Attack("exp-missing", "no exp at all", lambda w, c: es256(w, c, exp=None), "of the right types", client=TIME),
    Attack("jti-missing", "no jti: single use cannot be enforced", lambda w, c: es256(w, c, jti=None),
           "of the right types", client=TIME),
    # -- audience ---------------------------------------------------------------------------------
    Attack("aud-array-without-us", "aud an array of other audiences only (another realm's token endpoint)",
           lambda w, c: es256(w, c, aud=["https://elsewhere.example", w.token_endpoint("atk2")]), "names neither",
           client=AUD),
    Attack("aud-empty-array", "aud []", lambda w, c: es256(w, c, aud=[]), "names neither", client=AUD),
    Attack("aud-nested-array", "aud [[token endpoint]]: not a string or an array of strings",
           lambda w, c: es256(w, c, aud=[[w.token_endpoint()]]), "of the right types", client=AUD),
    Attack("aud-prefix", "aud the token endpoint with a suffix (no prefix matching)",
           lambda w, c: es256(w, c, aud=w.token_endpoint() + "/../token"), "names neither", client=AUD),
    # -- duplicate members --------------------------------------------------------------------------
    Attack("header-duplicate-alg-none-last", "two alg members, ES256 first and none last: a last-wins parser reads none",
           lambda w, c: signed(w, c, forge.json_with_duplicates([("alg", "ES256"), ("alg", "none")]), claims(w, c)),
           "duplicate", client=DUP),
    Attack("header-duplicate-alg-none-first", "two alg members, none first and ES256 last",
           lambda w, c: signed(w, c, forge.json_with_duplicates([("alg", "none"), ("alg", "ES256")]), claims(w, c)),
           "duplicate", client=DUP),
    Attack("payload-duplicate-sub", "two sub members, the client first and another client last",
           lambda w, c: signed(w, c, {"alg": "ES256"}, _duplicates(w, c, "sub", "atk-es-b")), "duplicate", client=DUP),
    Attack("payload-duplicate-exp", "two exp members, a valid one first and one 10 years ahead last",
           lambda w, c: signed(w, c, {"alg": "ES256"}, _duplicates(w, c, "exp", _now() + 10 * 365 * 86400)),
           "duplicate", client=DUP),
    # -- encoding -------------------------------------------------------------------------------------
    Attack("b64-padding", "'=' padding on the signature segment (RFC 7515 §2 forbids it)",
           lambda w, c: _with_segment(_segment_with(w, c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2), 2, forge.padded),
           "not base64url without padding", client=ENC),
    Attack("b64-standard-alphabet", "'+' or '/' of the standard alphabet in the payload segment",
           lambda w, c: _with_segment(_segment_with(w, c, "-_", 1), 1, forge.standard_alphabet),
           "not base64url without padding", client=ENC),
    Attack("b64-trailing-bits", "the signature's last character with unused bits set (same bytes, other text)",
           lambda w, c: _with_segment(es256(w, c), 2, forge.with_trailing_bits), "not base64url without padding",
           client=ENC),
    Attack("empty-signature", "alg ES256 with an empty signature segment",
           lambda w, c: forge.sign_raw({"alg": "ES256", "kid": w.kids[c]}, claims(w, c), None),
           "the signature does not verify", client=ENC),
    Attack("der-signature", "the ES256 signature as ASN.1 DER instead of r||s (RFC 7518 §3.4)",
           lambda w, c: forge.der_signature(es256(w, c)), "the signature does not verify", client=ENC),
    Attack("truncated-two-segments", "header and payload only", lambda w, c: ".".join(es256(w, c).split(".")[:2]),
           "three dot-separated parts", client=ENC),
    Attack("truncated-signature", "the signature cut to 32 bytes",
           lambda w, c: forge.with_signature(es256(w, c), forge.signature_of(es256(w, c))[:32]),
           "the signature does not verify", client=ENC),
    Attack("five-segments-jwe-like", "five segments, as a JWE compact serialization has",
           lambda w, c: es256(w, c) + ".AAAA.BBBB", "three dot-separated parts", client=ENC),
    Attack("whitespace-inside", "a space inside the payload segment",
           lambda w, c: _with_segment(es256(w, c), 1, lambda s: s[:10] + " " + s[10:]), "not base64url without padding",
           client=ENC),
    Attack("trailing-newline", "a newline after the signature",
           lambda w, c: es256(w, c) + "\n", "not base64url without padding", client=ENC),
    # -- signature malleability -------------------------------------------------------------------
    Attack("ed25519-s-plus-l", "Ed25519 signature with S + L (RFC 8032 §5.1.7: S must be below L)",
           lambda w, c: forge.ed25519_s_plus_l(forge.sign_raw({"alg": "EdDSA"}, claims(w, c), eddsa_signer(w.keys[c]))),
           "the signature does not verify", client="atk-ed"),
]


def _check_refused(world: World, attack: Attack, assertion: str, form_extra=None):
    mark = world.mark()
    r = world.post_token(world.assertion_form(attack.client, assertion, **(form_extra or {})))
    assert_oauth_error(r, 401, "invalid_client", www_authenticate=True)
    assert "access_token" not in r.text
    denied = world.entries_after(mark, "token.denied")
    assert len(denied) == 1, denied
    entry = denied[0]
    assert entry["client"] == attack.client and entry["detail"] == {"error": "invalid_client"}, entry
    assert attack.reason in entry["reason"], f"{attack.name}: reason {entry['reason']!r} lacks {attack.reason!r}"
    return r


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_assertion_attack_is_refused(attack: Attack, attack_world: World):
    """One named attack on private_key_jwt: 401 invalid_client, audited with the reason."""
    _check_refused(attack_world, attack, attack.build(attack_world, attack.client))


def test_jku_and_x5u_are_never_fetched(attack_world: World):
    """RFC 8725 §3.10: the jku / x5u URLs of the attacks above were never requested."""
    fetched = [p for p in attack_world.fake.requests if p.startswith(("/jku", "/x5u"))]
    assert fetched == []


# -- replay and malleability --------------------------------------------------------------------

def test_replayed_assertion(attack_world: World):
    """The same assertion twice: the second is refused (jti single use)."""
    w = attack_world
    a = es256(w, "atk-es")
    assert w.post_token(w.assertion_form("atk-es", a)).status_code == 200
    _check_refused(w, Attack("replay", "", lambda *_: a, "was already used"), a)


def test_replayed_jti_in_a_re_signed_assertion(attack_world: World):
    """A new assertion (other exp, new signature) reusing a jti that was already used."""
    w = attack_world
    first = es256(w, "atk-es", jti="attack-jti-" + str(time.time_ns()))
    assert w.post_token(w.assertion_form("atk-es", first)).status_code == 200
    second = es256(w, "atk-es", jti=forge.claims_of(first)["jti"], exp=_now() + 100)
    _check_refused(w, Attack("replay-jti", "", lambda *_: second, "was already used"), second)


def test_high_s_twin_of_a_used_assertion_is_a_replay(attack_world: World):
    """Malleability: (r, n − s) of an assertion already used is refused as a replay, so the
    second valid spelling of one signature buys nothing."""
    w = attack_world
    a = es256(w, "atk-es")
    assert w.post_token(w.assertion_form("atk-es", a)).status_code == 200
    twin = forge.high_s_twin(a)
    assert twin != a and forge.is_high_s(forge.signature_of(twin))
    _check_refused(w, Attack("high-s-replay", "", lambda *_: twin, "was already used"), twin)


def test_high_s_fresh_assertion_is_accepted(attack_world: World):
    """Client assertions come from third-party JOSE libraries, which do not normalise s
    (PyJWT, joserfc; RFC 7518 §3.4 does not require it): a fresh high-S assertion is
    accepted, and single use by jti (above) is what stops its low-S twin."""
    w = attack_world
    high = forge.sign_raw({"alg": "ES256", "typ": "JWT", "kid": w.kids["atk-es"]}, claims(w, "atk-es"),
                          lambda m: forge.es256_sign(w.keys["atk-es"], m, s_half="high"))
    r = w.post_token(w.assertion_form("atk-es", high))
    assert r.status_code == 200, describe(r)


def test_pyjwt_assertions_verify_whatever_half_s_falls_in(attack_world: World):
    """PyJWT signs with either half of s at random; ten in a row are all accepted."""
    w = attack_world
    for _ in range(10):
        a = pyjwt.encode(claims(w, "atk-es"), w.keys["atk-es"], algorithm="ES256", headers={"kid": w.kids["atk-es"]})
        r = w.post_token(w.assertion_form("atk-es", a))
        assert r.status_code == 200, describe(r)


# -- boundaries that must still be accepted (the refusals above are not over-eager) -------------

@pytest.mark.parametrize("name,overrides", [
    ("exp-within-leeway", lambda: {"iat": _now() - 100, "exp": _now() - 20}),
    ("exp-five-minutes-ahead", lambda: {"exp": _now() + 300}),
    ("nbf-within-leeway", lambda: {"nbf": _now() + 20}),
    ("iat-within-leeway", lambda: {"iat": _now() + 20}),
    ("aud-array-with-us", lambda: {"aud": ["https://elsewhere.example", "TOKEN_ENDPOINT"]}),
    ("exp-fractional", lambda: {"exp": _now() + 60.5}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_boundary_is_accepted(attack_world: World, name, overrides):
    w = attack_world
    values = {k: (w.token_endpoint() if v == "TOKEN_ENDPOINT" else v) for k, v in overrides().items()}
    if "aud" in values:
        values["aud"] = [w.token_endpoint() if a == "TOKEN_ENDPOINT" else a for a in values["aud"]]
    r = w.post_token(w.assertion_form("atk-time", es256(w, "atk-time", **values)))
    assert r.status_code == 200, f"{name}: {describe(r)}"


@pytest.mark.parametrize("typ", [None, "JWT", "client-authentication+jwt", "jwt"])
def test_missing_or_allowed_typ_is_accepted(attack_world: World, typ):
    """A typ is optional; JWT and client-authentication+jwt (any case) are the allowed ones."""
    w = attack_world
    header = {"alg": "ES256", "kid": w.kids["atk-typ"], **({"typ": typ} if typ else {})}
    r = w.post_token(w.assertion_form("atk-typ", es256(w, "atk-typ", header=header)))
    assert r.status_code == 200, describe(r)


def test_over_long_assertion_is_413(attack_world: World):
    """An assertion of 80 KiB: the form body limit (64 KiB) answers 413 before any parsing."""
    w = attack_world
    a = es256(w, "atk-es", pad="x" * (80 * 1024))
    r = w.post_token(w.assertion_form("atk-es", a))
    assert_oauth_error(r, 413, "invalid_request")


def test_long_assertion_under_the_body_limit_is_not_a_server_error(attack_world: World):
    """A 40 KiB claim inside a validly signed assertion (about 54 KiB of form body):
    accepted or refused, never a 5xx (the assertion is the client's own; the body limit is
    what bounds it)."""
    w = attack_world
    r = w.post_token(w.assertion_form("atk-es", es256(w, "atk-es", pad="x" * (40 * 1024))))
    assert r.status_code in (200, 401), describe(r)


def test_no_request_leaks_the_key_material(attack_world: World):
    """No refusal above told the client which check failed (wire-formats §Errors)."""
    w = attack_world
    r = w.post_token(w.assertion_form("atk-es", forge.sign_raw({"alg": "none"}, claims(w, "atk-es"), None)))
    body = r.json()
    assert body == {"error": "invalid_client", "error_description": "client authentication failed"}, body

