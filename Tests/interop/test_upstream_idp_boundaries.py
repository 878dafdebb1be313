"""Where a token exchanged for an upstream IdP's user meets the endpoints that take a token of
the realm (docs/wire-formats.md, "Upstream IdP tokens"; docs/connect-your-idp.md):

* its ``sub`` is the user at the IdP, never an agent of the realm: passports and the Bearer
  callers of the realm's APIs refuse it with a description naming the IdP and the user, also
  once an agent with the same id is added to the realm;
* introspection answers for it with its ``idp``; the MCP gate judges its acting agent;
* killing the orchestrator that acts in it (``act``) stops it on the next request.

The upstream tokens are Keycloak-shaped, minted with joserfc and served from a loopback JWKS
(the helpers of test_upstream_idp.py); no Glewlwyd here.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from herald_helpers import Admin, assert_oauth_error
from test_attacks_stopped import _status as status_in_list
from test_upstream_idp import SECRETS, JWKSServer, World, claims_of, issued, mint, public_set, refused, rsa_key

GATE_SECRET = "gate-secret-0123456789abcdefgh"


@pytest.fixture(scope="module")
def world(start_herald, tmp_path_factory):
    work = tmp_path_factory.mktemp("upstream-boundaries")
    jwks = JWKSServer()
    kc_key = rsa_key("kc-2026")
    jwks.sets["/realms/acme/protocol/openid-connect/certs"] = public_set(kc_key)
    kc_iss = jwks.url("/realms/acme")
    realms = work / "realms"
    realms.mkdir()
    (realms / "up.yaml").write_text(f"""
realm: up
directory:
  static:
    agents:
      - {{id: agent-orchestrator, roles: [mcps-l3]}}
      - {{id: agent-coder, roles: [mcps-l2]}}
      - {{id: agent-gate, roles: [mcps-l1]}}
clients:
  - {{client_id: orchestrator, subject: agent-orchestrator, auth: client_secret_basic, secret: "{SECRETS['orchestrator']}"}}
  - {{client_id: coder, subject: agent-coder, auth: client_secret_basic, secret: "{SECRETS['coder']}"}}
  - {{client_id: gate, subject: agent-gate, auth: client_secret_basic, secret: "{GATE_SECRET}"}}
tools:
  docs-mcp/read: L1
  deploy-mcp/release: L3
upstream_idps:
  - issuer: {kc_iss}
    jwks_uri: {jwks.url('/realms/acme/protocol/openid-connect/certs')}
    audience: herald
    roles_claim: realm_access.roles
    role_mappings: {{agent-operators: mcps-l3, staff: mcps-l1}}
    may_act: [orchestrator, coder]
""")
    herald = start_herald(realms_dir=realms, default_realm="up")
    yield World(herald, None, jwks, kc_key, None, kc_iss, None, None, None)
    jwks.stop()


def delegated(w: World) -> tuple[dict, str, str]:
    """A Keycloak user, the orchestrator's token for them, and the coder's token from that one."""
    user = w.keycloak(sub=f"user-{uuid.uuid4().hex[:12]}")
    first = issued(w.exchange("orchestrator", mint(w.kc_key, user)))["access_token"]
    second = issued(w.exchange("coder", first))["access_token"]
    return user, first, second


def description(w: World, user: dict) -> str:
    return (f"this token was exchanged from upstream IdP {w.kc_iss} for user {user['sub']}; it is not an agent "
            "credential of this realm: use the agent's own token")


def passport(w: World, token: str, agent: str) -> requests.Response:
    return requests.post(f"{w.herald.issuer('up')}/agents/{agent}/passport", json={}, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})


def introspect(w: World, token: str) -> dict:
    reply = requests.post(w.token_url + "/introspect", auth=("gate", GATE_SECRET), data={"token": token}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def gate(w: World, body: dict, **kw) -> requests.Response:
    kw.setdefault("auth", ("gate", GATE_SECRET))
    return requests.post(f"{w.herald.issuer('up')}/mcp/verify", json=body, timeout=10, **kw)


def judged(w: World, token: str, tool: str = "docs-mcp/read") -> dict:
    server, name = tool.split("/")
    reply = gate(w, {"token": token, "mcp_server_id": server, "tool_name": name})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_an_upstream_users_token_gets_no_passport(world):
    user, first, second = delegated(world)
    for token in (first, second):
        for agent in (user["sub"], "agent-orchestrator"):
            refused(passport(world, token, agent), "insufficient_scope", description(world, user), status=403)


def test_an_agent_added_later_under_the_users_id_is_not_reachable_with_the_users_token(world):
    user, first, _ = delegated(world)
    admin = Admin(world.herald)
    created = admin.call("POST", "up/agents", {"id": user["sub"], "roles": ["mcps-l4"]})
    assert created.status_code == 201, created.text
    try:
        refused(passport(world, first, user["sub"]), "insufficient_scope", description(world, user), status=403)
        # As the credential of a caller (an MCP server calling the gate): refused, not taken
        # for the new agent.
        as_caller = gate(world, {"agent_id": "agent-coder", "mcp_server_id": "docs-mcp", "tool_name": "read"},
                         auth=None, headers={"Authorization": f"Bearer {first}"})
        body = assert_oauth_error(as_caller, 401, "invalid_token")
        assert body["error_description"] == description(world, user)
        # At the gate, the token is its acting agent's, at the token's level: the L4 agent
        # of the same id is never looked up.
        answer = judged(world, first, "deploy-mcp/release")
        assert answer["agent_id"] == "agent-orchestrator" and answer["on_behalf_of"] == user["sub"]
        assert answer["idp"] == world.kc_iss and answer["trust_level"] == 3 and answer["decision"] == "ALLOW"
        introspected = introspect(world, first)
        assert introspected["active"] is True and introspected["sub"] == user["sub"]
        # Killing the new agent does not touch the user's token either.
        assert admin.call("POST", f"up/agents/{user['sub']}/kill", {"reason": "test"}).status_code == 200
        assert introspect(world, first)["active"] is True
        assert judged(world, first)["decision"] == "ALLOW"
    finally:
        admin.call("DELETE", f"up/agents/{user['sub']}")


def test_introspection_shows_idp(world):
    user, first, second = delegated(world)
    one = introspect(world, first)
    assert one["active"] is True and one["token_type"] == "Bearer"
    assert one["idp"] == world.kc_iss and one["sub"] == user["sub"]
    assert one["act"] == {"sub": "agent-orchestrator", "client_id": "orchestrator"}
    two = introspect(world, second)
    assert two["idp"] == world.kc_iss and two["mcps"]["trust_level"] == 2
    assert two["act"]["sub"] == "agent-coder" and two["act"]["act"]["sub"] == "agent-orchestrator"


def test_killing_the_orchestrator_stops_the_delegated_tokens_at_the_next_request(world):
    user, first, second = delegated(world)
    assert judged(world, second)["decision"] == "ALLOW"
    admin = Admin(world.herald)
    killed = admin.call("POST", "up/agents/agent-orchestrator/kill", {"reason": "compromised"})
    assert killed.status_code == 200, killed.text
    try:
        stopped = "agent agent-orchestrator, which acts in this token, is stopped"
        # No wait: the very next requests see the kill.
        assert introspect(world, second) == {"active": False}
        assert introspect(world, first) == {"active": False}
        answer = judged(world, second)
        assert answer["decision"] == "DENY" and "status" in answer["checks_failed"]
        assert answer["agent_id"] == "agent-coder" and stopped in answer["reason"]
        assert judged(world, first)["decision"] == "DENY"
        refused(world.exchange("coder", first), "invalid_grant", f"subject_token: {stopped}")
        # The coding agent's own standing is untouched: its own token still works.
        own = requests.post(world.token_url, auth=("coder", SECRETS["coder"]),
                            data={"grant_type": "client_credentials"}, timeout=10)
        assert introspect(world, own.json()["access_token"])["active"] is True
    finally:
        assert admin.call("POST", "up/agents/agent-orchestrator/revive").status_code == 200
    assert introspect(world, second)["active"] is True
    assert claims_of(second)["idp"] == world.kc_iss


def test_the_status_list_entry_of_an_upstream_users_token_is_its_current_actors(world):
    """A relying party that checks only the status list (§8) sees the kill of the agent that
    holds an upstream user's token: the token carries its current actor's entry."""
    user, first, second = delegated(world)
    own = {client: claims_of(requests.post(world.token_url, auth=(client, SECRETS[client]),
                                           data={"grant_type": "client_credentials"}, timeout=10)
                             .json()["access_token"])["status"]["status_list"]
           for client in ["orchestrator", "coder"]}
    assert claims_of(first)["status"]["status_list"] == own["orchestrator"]
    assert claims_of(second)["status"]["status_list"] == own["coder"]
    index = own["orchestrator"]["idx"]
    assert status_in_list(world.herald, "up", index) == 0
    admin = Admin(world.herald)
    assert admin.call("POST", "up/agents/agent-orchestrator/kill", {"reason": "status list"}).status_code == 200
    try:
        assert status_in_list(world.herald, "up", index) == 2
    finally:
        assert admin.call("POST", "up/agents/agent-orchestrator/revive").status_code == 200
    assert status_in_list(world.herald, "up", index) == 0

