"""Federation between two real herald processes (acme on one, globex on the other), plus a
fake peer written here that serves bundles we craft, good and bad.

* mutual federation: a globex agent's token is accepted at acme's MCP gate and introspection
  at the level acme caps globex at, and exchanged (RFC 8693) for an acme token naming globex
  in ``federated_from``; globex kills the agent, acme's next (forced) refresh denies it;
* each bad bundle is refused with a clear peer status while the last good one stays;
* a federation key rollover on globex is followed by acme without re-pinning;
* a peer that stops answering keeps its last bundle until ``max_staleness``, then its agents
  fall to L0; recovery when it answers again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from herald_helpers import Admin, FakePeer, b64url, client_secret

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


# ----------------------------------------------------------------------------- helpers
def token(herald, realm: str, client_id: str) -> str:
    secret = client_secret(client_id)
    reply = requests.post(f"{herald.issuer(realm)}/protocol/openid-connect/token", timeout=10,
                          data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    if reply.status_code == 401:  # client_secret_basic clients
        reply = requests.post(f"{herald.issuer(realm)}/protocol/openid-connect/token", auth=(client_id, secret),
                              data={"grant_type": "client_credentials"}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def gate(herald, body: dict) -> dict:
    reply = requests.post(f"{herald.issuer('acme')}/mcp/verify", json=body, timeout=10,
                          auth=("screening-bot", client_secret("screening-bot")))
    assert reply.status_code == 200, reply.text
    return reply.json()


def peer_id(entity: str) -> str:
    return "peer-" + hashlib.sha256(entity.encode()).hexdigest()[:10]


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def pair(start_herald):
    """acme (process A) and globex (process B), federated both ways; acme caps globex at L2."""
    a = start_herald(default_realm="acme")
    b = start_herald(default_realm="globex")
    admin_a, admin_b = Admin(a), Admin(b)
    pin_a = admin_a.call("GET", "acme/federation").json()["pin"]
    pin_b = admin_b.call("GET", "globex/federation").json()["pin"]
    added = admin_a.call("POST", "acme/federation/peers",
                         {"entity": b.issuer("globex"), "pin": pin_b, "max_level": "L2"})
    assert added.status_code == 201, added.text
    assert added.json()["status"] == "ok", added.json()
    back = admin_b.call("POST", "globex/federation/peers",
                        {"entity": a.issuer("acme"), "pin": pin_a, "max_level": "L1"})
    assert back.status_code == 201 and back.json()["status"] == "ok", back.text
    return a, b, admin_a, admin_b


@pytest.fixture(scope="module")
def fake():
    peer = FakePeer()
    yield peer
    peer.stop()


# ----------------------------------------------------------------------------- tests
def test_peer_token_accepted_at_the_capped_level_then_denied_after_the_peer_kills_it(pair):
    a, b, admin_a, admin_b = pair
    broker = token(b, "globex", "globex-broker")  # L3 at globex
    ok = gate(a, {"token": broker, "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert ok["decision"] == "ALLOW", ok
    assert ok["trust_level"] == 2 and ok["federated_from"] == b.issuer("globex") and ok["agent_id"] == "agent-broker"
    capped = gate(a, {"token": broker, "mcp_server_id": "payments-mcp", "tool_name": "charge"})  # needs L3
    assert capped["decision"] == "DENY" and capped["checks_failed"] == ["trust"]

    seen = requests.post(f"{a.issuer('acme')}/protocol/openid-connect/token/introspect", timeout=10,
                         auth=("screening-bot", client_secret("screening-bot")), data={"token": broker}).json()
    assert seen["active"] is True and seen["foreign"] is True and seen["federated_from"] == b.issuer("globex")
    assert seen["local_trust_level"] == 2

    # RFC 8693: treasury-bot (L4 at acme) exchanges the globex token for an acme token.
    exchanged = requests.post(f"{a.issuer('acme')}/protocol/openid-connect/token", timeout=10,
                              auth=("treasury-bot", client_secret("treasury-bot")),
                              data={"grant_type": TOKEN_EXCHANGE, "subject_token": broker,
                                    "subject_token_type": ACCESS_TOKEN_TYPE})
    assert exchanged.status_code == 200, exchanged.text
    assert exchanged.json()["issued_token_type"] == ACCESS_TOKEN_TYPE
    jwks = jwt.PyJWKSet.from_dict(requests.get(f"{a.issuer('acme')}/.well-known/agent-trust-keys", timeout=10).json())
    local = exchanged.json()["access_token"]
    header = jwt.get_unverified_header(local)
    claims = jwt.decode(local, next(k for k in jwks.keys if k.key_id == header["kid"]).key, algorithms=["ES256"],
                        audience=a.issuer("acme"), issuer=a.issuer("acme"))
    assert claims["sub"] == "agent-broker" and claims["federated_from"] == b.issuer("globex")
    assert claims["mcps"]["trust_level"] == 2 and claims["act"]["sub"] == "agent-treasury"
    assert claims["realm_access"]["roles"] == ["mcps-l2"]
    # The exchanged token works at acme's own gate, on the peer's word.
    by_local = gate(a, {"token": local, "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert by_local["decision"] == "ALLOW" and by_local["federated_from"] == b.issuer("globex"), by_local

    killed = admin_b.call("POST", "globex/agents/agent-broker/kill", {"reason": "partner incident"})
    assert killed.status_code == 200, killed.text
    # acme still trusts its last bundle until it refreshes; the test forces the refresh.
    refreshed = admin_a.call("POST", f"acme/federation/peers/{peer_id(b.issuer('globex'))}/refresh")
    assert refreshed.json()["status"] == "ok" and refreshed.json()["agents"]["suspended"] == 1
    denied = gate(a, {"token": broker, "mcp_server_id": "database-mcp", "tool_name": "query"})
    assert denied["decision"] == "DENY" and "status" in denied["checks_failed"]
    refused = requests.post(f"{a.issuer('acme')}/protocol/openid-connect/token", timeout=10,
                            auth=("treasury-bot", client_secret("treasury-bot")),
                            data={"grant_type": TOKEN_EXCHANGE, "subject_token": broker,
                                  "subject_token_type": ACCESS_TOKEN_TYPE})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    # The acme token exchanged earlier stops too: at the gate and at introspection.
    assert gate(a, {"token": local, "mcp_server_id": "database-mcp", "tool_name": "query"})["decision"] == "DENY"
    inactive = requests.post(f"{a.issuer('acme')}/protocol/openid-connect/token/introspect", timeout=10,
                             auth=("screening-bot", client_secret("screening-bot")), data={"token": local}).json()
    assert inactive == {"active": False}
    admin_b.call("POST", "globex/agents/agent-broker/revive")
    admin_a.call("POST", f"acme/federation/peers/{peer_id(b.issuer('globex'))}/refresh")
    assert gate(a, {"token": broker, "mcp_server_id": "database-mcp", "tool_name": "query"})["decision"] == "ALLOW"


def test_federation_key_rollover_is_followed_without_re_pinning(pair):
    a, b, admin_a, admin_b = pair
    entity = b.issuer("globex")
    before = admin_b.call("GET", "globex/federation").json()
    first_pin = admin_a.call("GET", f"acme/federation/peers/{peer_id(entity)}").json()["pin"]
    for _ in range(2):  # twice: the second bundle is signed by a key acme never had pinned
        rotated = admin_b.call("POST", "globex/federation/keys/rotate").json()
        assert rotated["pin"] != before["pin"]
        refreshed = admin_a.call("POST", f"acme/federation/peers/{peer_id(entity)}/refresh").json()
        assert refreshed["status"] == "ok", refreshed
        assert refreshed["pin"] == first_pin  # nobody re-pinned
        before = rotated
    broker = token(b, "globex", "globex-broker")
    assert gate(a, {"token": broker, "mcp_server_id": "database-mcp", "tool_name": "query"})["decision"] == "ALLOW"


def test_bad_bundles_are_refused_and_the_last_good_one_stays(pair, fake):
    a, _, admin_a, _ = pair
    name = "bad"
    entity = fake.entity(name)
    fake.serve(name, fake.bundle(name, 10))
    added = admin_a.call("POST", "acme/federation/peers", {"entity": entity, "pin": fake.pin, "max_level": "L3"})
    assert added.status_code == 201 and added.json()["status"] == "ok", added.text
    agent_token = fake.agent_token(name)
    query = {"token": agent_token, "mcp_server_id": "payments-mcp", "tool_name": "charge"}
    assert gate(a, query)["decision"] == "ALLOW"

    good = fake.bundle(name, 11)
    head, payload, sig = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["agents"][0]["trust_level"] = 0
    tampered = ".".join([head, b64url(json.dumps(claims).encode()), sig])
    stranger = ec.generate_private_key(ec.SECP256R1())
    cases = {
        "bad_signature": tampered,
        "unpinned_key": fake.bundle(name, 12, key=stranger),
        "replayed": fake.bundle(name, 9),
        "expired": fake.bundle(name, 13, exp_in=-10),
        "issuer_mismatch": fake.bundle(name, 14, iss="https://impostor.example/realms/x"),
        "malformed": "this.is-not-a-jws",
        "oversized": "a" * (33 << 20),
    }
    for code, body in cases.items():
        fake.serve(name, body)
        status = admin_a.call("POST", f"acme/federation/peers/{peer_id(entity)}/refresh").json()
        assert status["status"] == "rejected" and status["code"] == code, (code, status)
        assert status["reason"], status
        assert status["sequence"] == 10  # the last good bundle stays in force
        assert gate(a, query)["decision"] == "ALLOW", code
    admin_a.call("DELETE", f"acme/federation/peers/{peer_id(entity)}")


def test_unreachable_peer_is_trusted_until_max_staleness_then_falls_to_l0(pair, fake):
    a, _, admin_a, _ = pair
    name = "flaky"
    entity = fake.entity(name)
    fake.serve(name, fake.bundle(name, 100))
    added = admin_a.call("POST", "acme/federation/peers",
                         {"entity": entity, "pin": fake.pin, "max_level": "L2", "max_staleness": "5s"})
    assert added.status_code == 201 and added.json()["status"] == "ok", added.text
    query = {"token": fake.agent_token(name), "mcp_server_id": "database-mcp", "tool_name": "query"}
    assert gate(a, query)["decision"] == "ALLOW"

    fake.serve(name, "down", status=503)
    status = admin_a.call("POST", f"acme/federation/peers/{peer_id(entity)}/refresh").json()
    assert status["status"] == "unreachable" and "503" in status["reason"]
    assert gate(a, query)["decision"] == "ALLOW"  # the last good bundle, still fresh enough
    time.sleep(6)
    stale = gate(a, query)
    assert stale["decision"] == "DENY" and stale["trust_level"] == 0, stale

    fake.serve(name, fake.bundle(name, 101))
    assert admin_a.call("POST", f"acme/federation/peers/{peer_id(entity)}/refresh").json()["status"] == "ok"
    assert gate(a, query)["decision"] == "ALLOW"
    admin_a.call("DELETE", f"acme/federation/peers/{peer_id(entity)}")


def test_the_real_peer_stopping_and_returning(pair, start_herald):
    """globex's process itself goes away and comes back on the same port and data."""
    a, b, admin_a, _ = pair
    entity = b.issuer("globex")
    b.stop()
    status = admin_a.call("POST", f"acme/federation/peers/{peer_id(entity)}/refresh").json()
    assert status["status"] == "unreachable", status
    restarted = start_herald(default_realm="globex", data_dir=b.data_dir, port=b.port)
    status = admin_a.call("POST", f"acme/federation/peers/{peer_id(entity)}/refresh").json()
    assert status["status"] == "ok", status
    broker = token(restarted, "globex", "globex-broker")
    assert gate(a, {"token": broker, "mcp_server_id": "database-mcp", "tool_name": "query"})["decision"] == "ALLOW"
