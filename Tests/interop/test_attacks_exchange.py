"""Attack corpus, surface 6: the RFC 8693 token-exchange request itself — ``actor_token``
(never taken: the authenticated client is the actor, wire-formats "Token exchange"), the
token types, and subjects that are not access tokens. Each refusal is RFC 6749 §5.2 JSON
with a ``token.denied`` audit entry carrying the error code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
import requests

import forge
from attack_world import World
from herald_helpers import assert_oauth_error, assertion_claims


@dataclass(frozen=True)
class ExchangeAttack:
    name: str
    description: str
    form: Callable[[World, str], dict]     # (world, a genuine subject token) -> extra form fields
    error: str
    description_part: str


def _client_assertion(w: World) -> str:
    return forge.sign_raw({"alg": "ES256", "typ": "JWT"}, assertion_claims("atk-es", w.token_endpoint()),
                          forge.low_s_es256_signer(w.keys["atk-es"]))


ATTACKS = [
    ExchangeAttack("actor-token-genuine", "a genuine token of the L4 agent-actor as actor_token",
                   lambda w, t: {"actor_token": w.token("atk-actor"),
                                 "actor_token_type": "urn:ietf:params:oauth:token-type:access_token"},
                   "invalid_request", "actor_token is not taken"),
    ExchangeAttack("actor-token-forged", "an unsigned (alg none) token naming agent-actor as actor_token",
                   lambda w, t: {"actor_token": forge.sign_raw({"alg": "none"}, {"sub": "agent-actor"}, None),
                                 "actor_token_type": "urn:ietf:params:oauth:token-type:jwt"},
                   "invalid_request", "actor_token is not taken"),
    ExchangeAttack("actor-token-without-type", "actor_token without actor_token_type",
                   lambda w, t: {"actor_token": w.token("atk-actor")}, "invalid_request", "actor_token is not taken"),
    ExchangeAttack("subject-token-type-id-token", "subject_token_type id_token",
                   lambda w, t: {"subject_token_type": "urn:ietf:params:oauth:token-type:id_token"},
                   "invalid_request", "subject_token_type must be"),
    ExchangeAttack("subject-token-type-missing", "no subject_token_type",
                   lambda w, t: {"subject_token_type": None}, "invalid_request", "subject_token_type is missing"),
    ExchangeAttack("requested-refresh-token", "requested_token_type refresh_token",
                   lambda w, t: {"requested_token_type": "urn:ietf:params:oauth:token-type:refresh_token"},
                   "invalid_request", "only urn:ietf:params:oauth:token-type:access_token"),
    ExchangeAttack("subject-is-client-assertion", "a client's own assertion (typ JWT) as subject_token",
                   lambda w, t: {"subject_token": _client_assertion(w)}, "invalid_grant", "subject_token: "),
    ExchangeAttack("subject-empty", "an empty subject_token", lambda w, t: {"subject_token": ""},
                   "invalid_request", "subject_token is missing"),
    ExchangeAttack("scope-above-the-level", "scope treasury_manage, beyond the lower of the two levels",
                   lambda w, t: {"scope": "treasury_manage"}, "invalid_scope", "treasury_manage"),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_exchange_request_attack_is_refused(attack_world: World, attack: ExchangeAttack):
    w = attack_world
    subject = w.token("atk-bob")
    mark = w.mark()
    extra = attack.form(w, subject)
    r = w.exchange(extra.pop("subject_token", subject), **extra)
    body = assert_oauth_error(r, 400, attack.error)
    assert attack.description_part in body["error_description"], body
    denied = w.entries_after(mark, "token.denied")
    assert len(denied) == 1 and denied[0]["detail"] == {"error": attack.error}, denied
    assert w.entries_after(mark, "token.exchanged") == []


def test_delegation_never_raises_the_level(attack_world: World):
    """An L1 actor (atk-gate) exchanging the L4 agent-actor's token gets an L1 token: the
    lower of the two, whatever the subject holds."""
    w = attack_world
    r = w.exchange(w.token("atk-actor"), actor="atk-gate")
    assert r.status_code == 200, r.text
    claims = forge.claims_of(r.json()["access_token"])
    assert claims["mcps"]["trust_level"] == 1 and claims["act"]["sub"] == "agent-gate", claims


def test_subject_token_of_another_realm_with_a_genuine_signature(attack_world: World):
    """atk2's genuine token (same client and agent names) exchanged at atk: invalid_grant."""
    w = attack_world
    body = assert_oauth_error(w.exchange(w.token("atk-gate", realm="atk2")), 400, "invalid_grant")
    assert body["error_description"] == "subject_token: the token's issuer is neither this realm nor a peer of it"


def test_exchange_by_an_unauthenticated_actor(attack_world: World):
    """No client authentication: 401 invalid_client, however good the subject token is."""
    w = attack_world
    r = requests.post(w.token_endpoint(), timeout=10, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": w.token("atk-bob"),
        "subject_token_type": "urn:ietf:params:oauth:token-type:access_token"})
    assert_oauth_error(r, 401, "invalid_client")
