"""Attack corpus, surface 4: agent passports, JWT and MCPS, presented at the MCP gate
(``passport`` in the body: ``200 DENY`` with ``identity`` failed and an ``mcp.decision``
entry, wire-formats §6) and looked up at ``GET {issuer}/api/verify/{passport_id}``
(a signed ``UNKNOWN`` for anything this realm did not issue, wire-formats §4; the answer
checked with mcps-secure's own ``check_revocation``).
"""

from __future__ import annotations

import base64
import copy
import json
from urllib.parse import quote
from dataclasses import dataclass
from typing import Callable

import mcp_secure
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

import forge
from attack_world import World
from herald_helpers import describe, ec_public_jwk, hs256_signer, low_s_es256_signer

GATE_QUERY = {"mcp_server_id": "database-mcp", "tool_name": "query"}


def _agent_jwk() -> dict:
    return ec_public_jwk(ec.generate_private_key(ec.SECP256R1()))


def issue(world: World, client: str = "atk-bob", agent: str = "agent-bob", fmt: str = "jwt", realm: str = "atk"):
    token = world.token(client, realm=realm)
    r = requests.post(f"{world.issuer(realm)}/agents/{agent}/passport", params={"format": fmt},
                      headers={"Authorization": f"Bearer {token}"}, json={"public_key": _agent_jwk()}, timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()["passport"] if fmt == "jwt" else r.json()


@pytest.fixture(scope="module")
def jwt_passport(attack_world: World) -> str:
    return issue(attack_world)


@pytest.fixture(scope="module")
def mcps_passport(attack_world: World) -> dict:
    return issue(attack_world, fmt="mcps")


def gate_passport(world: World, passport) -> dict:
    r = world.gate({"passport": passport, **GATE_QUERY})
    assert r.status_code == 200, describe(r)
    return r.json()


def assert_identity_denied(world: World, passport, reason: str):
    mark = world.mark()
    answer = gate_passport(world, passport)
    assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], answer
    assert answer["agent_id"] is None and answer["trust_level"] is None, answer
    assert answer["reason"].startswith("passport: ") and reason in answer["reason"], answer
    entries = world.entries_after(mark, "mcp.decision")
    assert len(entries) == 1, entries
    assert entries[0]["detail"]["decision"] == "DENY" and entries[0]["detail"]["failed"] == "identity", entries
    assert entries[0]["agent"] is None and entries[0]["reason"] == answer["reason"], entries


# -- JWT passports -----------------------------------------------------------------------------

@dataclass(frozen=True)
class JWTPassportAttack:
    name: str
    description: str
    build: Callable[[World, str], str]
    reason: str


def _claims_changed(token: str, **changes) -> str:
    return forge.with_claims(token, dict(forge.claims_of(token), **changes))


def _other_realm_passport(world: World, _passport: str) -> str:
    return issue(world, "atk-gate", "agent-gate", realm="atk2")


JWT_ATTACKS = [
    JWTPassportAttack("trust-level-raised", "trust_level raised to 4, the payload re-encoded under the kept signature",
                      lambda w, p: _claims_changed(p, trust_level=4), "signature does not verify"),
    JWTPassportAttack("sub-swapped", "sub changed to agent-actor (L4), the signature kept",
                      lambda w, p: _claims_changed(p, sub="agent-actor"), "signature does not verify"),
    JWTPassportAttack("cnf-key-swapped", "the bound key replaced by the attacker's, the signature kept",
                      lambda w, p: _claims_changed(p, cnf={"jwk": _agent_jwk()}), "signature does not verify"),
    JWTPassportAttack("alg-none", "header alg none, signature stripped",
                      lambda w, p: forge.sign_raw(dict(forge.header_of(p), alg="none"), forge.claims_of(p), None),
                      "alg none is not accepted"),
    JWTPassportAttack("hs256-public-jwk", "HS256 keyed with the realm's published key",
                      lambda w, p: forge.sign_raw(dict(forge.header_of(p), alg="HS256"), forge.claims_of(p),
                                                  hs256_signer(json.dumps(requests.get(
                                                      w.issuer() + "/api/ta/public-key", timeout=10).json()["jwk"]).encode())),
                      "alg HS256 is not accepted"),
    JWTPassportAttack("attacker-key-jwk-header", "re-signed by an attacker key embedded as a jwk header",
                      lambda w, p: (lambda k: forge.sign_raw(dict(forge.header_of(p), jwk=ec_public_jwk(k)),
                                                             forge.claims_of(p), low_s_es256_signer(k)))(
                          ec.generate_private_key(ec.SECP256R1())), "signature does not verify"),
    JWTPassportAttack("typ-access-token", "an access token of the agent presented as a passport",
                      lambda w, p: w.token("atk-bob"), "typ is at+jwt, expected agent-passport+jwt"),
    JWTPassportAttack("typ-missing", "typ removed, the signature kept",
                      lambda w, p: forge.with_header(p, {k: v for k, v in forge.header_of(p).items() if k != "typ"}),
                      "the header has no typ"),
    JWTPassportAttack("high-s-twin", "signature malleability: (r, n − s)", lambda w, p: forge.high_s_twin(p),
                      "signature does not verify"),
    JWTPassportAttack("der-signature", "the signature as ASN.1 DER", lambda w, p: forge.der_signature(p),
                      "signature does not verify"),
    JWTPassportAttack("five-segments", "two extra segments", lambda w, p: p + ".AAAA.BBBB", "not a JWT passport"),
    JWTPassportAttack("b64-padding", "'=' padding on a segment",
                      lambda w, p: ".".join(forge.padded(s) if i == 2 else s for i, s in enumerate(p.split("."))),
                      "not a JWT passport"),
    JWTPassportAttack("other-realm", "a genuine passport of realm atk2 (same agent id) at atk's gate",
                      _other_realm_passport, "is not in the JWKS"),
]


@pytest.mark.parametrize("attack", JWT_ATTACKS, ids=lambda a: a.name)
def test_forged_jwt_passport_at_the_gate(attack_world: World, jwt_passport: str, attack: JWTPassportAttack):
    forged = attack.build(attack_world, jwt_passport)
    assert forged != jwt_passport
    assert_identity_denied(attack_world, forged, attack.reason)


def test_genuine_jwt_passport_is_allowed(attack_world: World, jwt_passport: str):
    """The control: the untouched passport identifies agent-bob."""
    answer = gate_passport(attack_world, jwt_passport)
    assert answer["decision"] == "ALLOW" and answer["agent_id"] == "agent-bob", answer


# -- MCPS passports ----------------------------------------------------------------------------

def _mcps(passport: dict, **changes) -> dict:
    forged = copy.deepcopy(passport)
    forged.update(changes)
    return forged


def _resigned_by_attacker(passport: dict) -> dict:
    """The passport re-signed over its JCS by an attacker key (mcps-secure's own signing)."""
    attacker = mcp_secure.generate_key_pair()
    body = {k: v for k, v in passport.items() if k != "signature"}
    return mcp_secure.sign_passport(body, attacker["private_key"])


def _der(signature: str) -> str:
    """A standard-base64 r||s signature re-encoded as ASN.1 DER."""
    raw = base64.b64decode(signature)
    return forge.std_b64(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")))


def _high_s(passport: dict) -> dict:
    raw = base64.b64decode(passport["signature"])
    twin = raw[:32] + (forge.P256_N - int.from_bytes(raw[32:], "big")).to_bytes(32, "big")
    return _mcps(passport, signature=forge.std_b64(twin))


@dataclass(frozen=True)
class MCPSAttack:
    name: str
    description: str
    build: Callable[[World, dict], dict]
    reason: str


MCPS_ATTACKS = [
    MCPSAttack("trust-level-raised", "trust_level raised to 4, the signature kept",
               lambda w, p: _mcps(p, trust_level=4), "signature does not verify"),
    MCPSAttack("passport-id-of-another", "passport_id changed, the signature kept",
               lambda w, p: _mcps(p, passport_id="asp_" + "0" * 32), "signature does not verify"),
    MCPSAttack("expiry-extended", "expires_at a year later, the signature kept",
               lambda w, p: _mcps(p, expires_at=p["expires_at"].replace(p["expires_at"][:4],
                                                                          str(int(p["expires_at"][:4]) + 1), 1)),
               "signature does not verify"),
    MCPSAttack("member-added", "an extra member (key_rotation) added, the signature kept",
               lambda w, p: _mcps(p, key_rotation={"next": "attacker"}), "signature does not verify"),
    MCPSAttack("public-key-swapped", "the bound key replaced, the signature kept",
               lambda w, p: _mcps(p, public_key=_agent_jwk()), "signature does not verify"),
    MCPSAttack("resigned-by-attacker", "re-signed over its JCS by an attacker key (mcps-secure sign_passport)",
               lambda w, p: _resigned_by_attacker(p), "signature does not verify"),
    MCPSAttack("issuer-changed", "issuer another realm's, the signature kept",
               lambda w, p: _mcps(p, issuer=w.issuer("atk2")), "signature does not verify"),
    MCPSAttack("signature-base64url", "the signature in base64url (MCPS uses standard base64)",
               lambda w, p: _mcps(p, signature=p["signature"].replace("+", "-").replace("/", "_").rstrip("=")),
               "signature is not standard base64"),
    MCPSAttack("signature-der", "the signature as ASN.1 DER", lambda w, p: _mcps(p, signature=_der(p["signature"])),
               "signature is not standard base64 of 64 bytes"),
    MCPSAttack("high-s-twin", "signature malleability: (r, n − s)", lambda w, p: _high_s(p),
               "signature does not verify"),
    MCPSAttack("signature-missing", "no signature member",
               lambda w, p: {k: v for k, v in p.items() if k != "signature"}, "no signature"),
    MCPSAttack("other-realm", "a genuine MCPS passport of realm atk2 at atk's gate",
               lambda w, p: issue(w, "atk-gate", "agent-gate", fmt="mcps", realm="atk2"), "signature does not verify"),
    MCPSAttack("version-changed", "mcps_version 2.0", lambda w, p: _mcps(p, mcps_version="2.0"), "mcps_version"),
]


@pytest.mark.parametrize("attack", MCPS_ATTACKS, ids=lambda a: a.name)
def test_forged_mcps_passport_at_the_gate(attack_world: World, mcps_passport: dict, attack: MCPSAttack):
    forged = attack.build(attack_world, mcps_passport)
    assert forged != mcps_passport
    assert_identity_denied(attack_world, forged, attack.reason)


def test_mcps_duplicate_member_at_the_gate(attack_world: World, mcps_passport: dict):
    """The passport as JSON text with trust_level twice, 4 first and the signed value last
    (a last-wins parser verifies it, a first-wins one reads L4): refused as a duplicate."""
    w = attack_world
    text = json.dumps({"passport": mcps_passport, **GATE_QUERY})
    forged = text.replace('"trust_level": ', '"trust_level": 4, "trust_level": ', 1)
    assert forged.count('"trust_level"') == 2
    mark = w.mark()
    r = requests.post(w.gate_url(), data=forged, headers={"Content-Type": "application/json"},
                      auth=w.basic("atk-gate"), timeout=10)
    assert r.status_code in (200, 400), describe(r)
    if r.status_code == 200:
        answer = r.json()
        assert answer["decision"] == "DENY" and answer["checks_failed"] == ["identity"], answer
        assert "duplicate" in answer["reason"], answer
        assert len(w.entries_after(mark, "mcp.decision")) == 1
    else:
        assert r.json()["error"] == "invalid_request"


def test_genuine_mcps_passport_is_allowed(attack_world: World, mcps_passport: dict):
    answer = gate_passport(attack_world, mcps_passport)
    assert answer["decision"] == "ALLOW" and answer["agent_id"] == "agent-bob", answer


# -- /api/verify ---------------------------------------------------------------------------------

def _ta_pem(world: World, realm: str = "atk") -> str:
    return requests.get(world.issuer(realm) + "/api/ta/public-key", timeout=10).json()["pem"]


@pytest.mark.parametrize("name,passport_id", [
    ("unknown-id", "asp_" + "0" * 32),
    ("uppercase-hex", None),            # the genuine id in upper case: another id
    ("other-realm-id", "OTHER"),        # a genuine id of realm atk2
    ("no-prefix", "0" * 32),
    ("sql-like", "asp_' OR '1'='1"),
    ("over-long", "asp_" + "a" * 4000),
])
def test_api_verify_answers_unknown_for_ids_it_did_not_issue(attack_world: World, mcps_passport: dict, name,
                                                             passport_id):
    """Anything but an id this realm issued is a signed UNKNOWN, verified by mcps-secure."""
    w = attack_world
    if passport_id is None:
        passport_id = mcps_passport["passport_id"].upper()
    elif passport_id == "OTHER":
        passport_id = issue(w, "atk-gate", "agent-gate", fmt="mcps", realm="atk2")["passport_id"]
    r = requests.get(f"{w.issuer()}/api/verify/{quote(passport_id, safe='')}", timeout=10)
    assert r.status_code == 200, describe(r)
    answer = r.json()
    assert answer["status"] == "UNKNOWN" and answer["reason"] == "no such passport", (name, answer)
    assert answer["passport_id"] == passport_id and "trust_level" not in answer, answer
    # the answer's signature, checked as mcps-secure's check_revocation checks it
    assert mcp_secure.verify_passport_signature(answer, _ta_pem(w)) is True


def test_api_verify_answer_tampering_is_detected(attack_world: World, mcps_passport: dict):
    """A relying party detects a VALID answer rewritten by a man in the middle: the
    signature covers every member (mcps-secure's own verification over the JCS)."""
    w = attack_world
    answer = requests.get(f"{w.issuer()}/api/verify/{mcps_passport['passport_id']}", timeout=10).json()
    assert answer["status"] == "VALID"
    pem = _ta_pem(w)
    body = {k: v for k, v in answer.items() if k != "signature"}
    assert mcp_secure.verify_passport_signature(dict(body, signature=answer["signature"]), pem) is True
    forged = dict(body, trust_level=4, signature=answer["signature"])
    assert mcp_secure.verify_passport_signature(forged, pem) is False


def test_api_verify_path_tricks_are_not_server_errors(attack_world: World):
    w = attack_world
    for path in ["/api/verify/%2e%2e%2fstatuslists%2f1", "/api/verify/asp_%00", "/api/verify/" + "%ff" * 10]:
        r = requests.get(w.issuer() + path, timeout=10)
        assert r.status_code < 500, describe(r)
        if r.status_code == 200:
            assert r.json()["status"] == "UNKNOWN", describe(r)
