"""Upstream identity providers (``upstream_idps`` in the realm file, docs/connect-your-idp.md):
their access and ID tokens, exchanged (RFC 8693) by a client of the realm, become Herald
tokens with the ``mcps`` claim at the level their roles map to.

* a real Glewlwyd (``../shared/bench/peer/start-peer.sh``, its own state directory and port)
  issues a client_credentials token whose ``scope`` maps to a level;
* tokens minted here with joserfc in Keycloak's shape (RS256, ``realm_access.roles``) and
  Entra ID's (RS256, ``roles``/``groups``, ``tid``, ``ver`` 2.0), whose keys a loopback JWKS
  server in this module publishes with ``Cache-Control``;
* every refusal the issue names, each with its ``error_description``;
* delegation user → orchestrator → coding agent (nested ``act``, the lower level) and
  ``may_act`` at each hop.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from joserfc import jwk, jwt

from conftest import free_port
from herald_helpers import REPO, assert_oauth_error, b64url_decode, hs256_signer, jws_compact

PEER_DIR = REPO.parent / "shared" / "bench" / "peer"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
SECRETS = {"orchestrator": "orchestrator-secret-0123456789",
           "coder": "coder-secret-0123456789abcdef",
           "outsider": "outsider-secret-0123456789ab"}
ENTRA_GROUP = "5f0c7a52-8d3e-4c51-9a0e-3b7e3c2d1a10"


class JWKSServer:
    """Loopback JWKS endpoints (path -> key set) with Cache-Control, counting requests."""

    def __init__(self, port: int = 0):
        self.sets: dict[str, dict] = {}
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                body = outer.sets.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "public, max-age=300")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def rsa_key(kid: str):
    return jwk.RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def public_set(*keys, extra=()) -> dict:
    return {"keys": [k.as_dict(private=False) for k in keys] + list(extra)}


def mint(key, claims: dict, *, typ="JWT", kid=None) -> str:
    header = {"alg": "RS256", "typ": typ, "kid": kid or key.kid}
    return jwt.encode(header, claims, key, algorithms=["RS256"])


def peer_env(state: Path) -> dict:
    env = {}
    for line in (state / "peer.env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value
    return env


@pytest.fixture(scope="module")
def world(start_herald, tmp_path_factory):
    work = tmp_path_factory.mktemp("upstream")
    # A real Glewlwyd on a port of its own, stopped at the end of the module. Its state is
    # outside pytest's directory (mode 0700): Glewlwyd runs as its own system user.
    peer_state = Path(tempfile.mkdtemp(prefix="herald-upstream-peer-"))
    peer_state.chmod(0o755)
    peer_vars = dict(os.environ, PEER_STATE=str(peer_state), PEER_PORT=str(free_port()))
    started = subprocess.run(["bash", str(PEER_DIR / "start-peer.sh")], env=peer_vars,
                             capture_output=True, text=True, timeout=600)
    assert started.returncode == 0, f"start-peer.sh failed:\n{started.stdout}\n{started.stderr}"
    peer = peer_env(peer_state)

    jwks = JWKSServer()
    kc_key, entra_key = rsa_key("kc-2026"), rsa_key("entra-k1")
    # Keycloak also publishes an RSA-OAEP encryption key: Herald must skip it.
    enc = rsa_key("kc-enc").as_dict(private=False) | {"use": "enc", "alg": "RSA-OAEP"}
    jwks.sets["/realms/acme/protocol/openid-connect/certs"] = public_set(kc_key, extra=[enc])
    jwks.sets["/tenant-1/discovery/v2.0/keys"] = public_set(entra_key)
    down_port = free_port()
    kc_iss = jwks.url("/realms/acme")
    entra_iss = jwks.url("/tenant-1/v2.0")
    down_iss = f"http://127.0.0.1:{down_port}/realms/down"

    realms = work / "realms"
    realms.mkdir()
    (realms / "up.yaml").write_text(f"""
realm: up
directory:
  static:
    agents:
      - {{id: agent-orchestrator, roles: [mcps-l3]}}
      - {{id: agent-coder, roles: [mcps-l2]}}
      - {{id: agent-outsider, roles: [mcps-l4]}}
      - {{id: agent-workload, roles: [mcps-l1]}}
clients:
  - {{client_id: orchestrator, subject: agent-orchestrator, auth: client_secret_basic, secret: "{SECRETS['orchestrator']}"}}
  - {{client_id: coder, subject: agent-coder, auth: client_secret_basic, secret: "{SECRETS['coder']}"}}
  - {{client_id: outsider, subject: agent-outsider, auth: client_secret_basic, secret: "{SECRETS['outsider']}"}}
  - {{client_id: workload, subject: agent-workload, auth: private_key_jwt, assertion_idp: "{kc_iss}",
     assertion_subject: svc-workload}}
upstream_idps:
  - issuer: {peer['ISSUER']}
    jwks_uri: {peer['JWKS_URL']}
    audience: api.read
    roles_claim: scope
    role_mappings: {{api.read: mcps-l1, api.write: mcps-l2}}
    may_act: [orchestrator]
  - issuer: {kc_iss}
    jwks_uri: {jwks.url('/realms/acme/protocol/openid-connect/certs')}
    audience: herald
    roles_claim: realm_access.roles
    role_mappings: {{agent-operators: mcps-l3, staff: mcps-l1}}
    may_act: [orchestrator, coder]
  - issuer: {entra_iss}
    jwks_uri: {jwks.url('/tenant-1/discovery/v2.0/keys')}
    audience: [api://herald, 00000000-aaaa-bbbb-cccc-000000000001]
    subject_claim: oid
    roles_claim: roles
    role_mappings: {{Agents.Operate: mcps-l4, Agents.Read: mcps-l1}}
    max_level: L3
    may_act: [orchestrator]
  - issuer: {entra_iss.replace('tenant-1', 'tenant-2')}
    jwks_uri: {jwks.url('/tenant-1/discovery/v2.0/keys')}
    audience: api://herald
    subject_claim: oid
    roles_claim: groups
    role_mappings: {{"{ENTRA_GROUP}": mcps-l2}}
    may_act: [orchestrator]
  - issuer: {down_iss}
    jwks_uri: http://127.0.0.1:{down_port}/certs
    audience: herald
    roles_claim: realm_access.roles
    role_mappings: {{agent-operators: mcps-l3}}
    may_act: [orchestrator]
""")
    herald = start_herald(realms_dir=realms, default_realm="up")
    w = World(herald, peer, jwks, kc_key, entra_key, kc_iss, entra_iss, down_iss, down_port)
    yield w
    jwks.stop()
    for server in w.extra_servers:
        server.stop()
    subprocess.run(["bash", str(PEER_DIR / "stop-peer.sh")], env=peer_vars, capture_output=True, timeout=60)
    shutil.rmtree(peer_state, ignore_errors=True)


class World:
    def __init__(self, herald, peer, jwks, kc_key, entra_key, kc_iss, entra_iss, down_iss, down_port):
        self.herald, self.peer, self.jwks = herald, peer, jwks
        self.kc_key, self.entra_key = kc_key, entra_key
        self.kc_iss, self.entra_iss, self.down_iss, self.down_port = kc_iss, entra_iss, down_iss, down_port
        self.extra_servers: list[JWKSServer] = []

    @property
    def token_url(self) -> str:
        return self.herald.token_endpoint("up")

    def exchange(self, client: str, subject_token: str, token_type: str = ACCESS_TOKEN):
        return requests.post(self.token_url, auth=(client, SECRETS[client]), timeout=15, data={
            "grant_type": EXCHANGE, "subject_token": subject_token, "subject_token_type": token_type})

    def keycloak(self, **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": self.kc_iss, "sub": str(uuid.uuid4()), "aud": ["herald", "account"], "typ": "Bearer",
                  "azp": "web-app", "exp": now + 300, "iat": now, "jti": str(uuid.uuid4()),
                  "preferred_username": "alice", "realm_access": {"roles": ["agent-operators", "offline_access"]},
                  "scope": "openid profile"}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def entra(self, tenant: str = "tenant-1", **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": self.entra_iss.replace("tenant-1", tenant), "aud": "00000000-aaaa-bbbb-cccc-000000000001",
                  "sub": "pairwise-" + uuid.uuid4().hex, "oid": str(uuid.uuid4()), "tid": str(uuid.uuid4()),
                  "ver": "2.0", "azp": "11111111-2222-3333-4444-555555555555", "exp": now + 300, "iat": now,
                  "nbf": now, "roles": ["Agents.Operate"], "scp": "access_as_user"}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}


def claims_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


def header_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


def issued(resp) -> dict:
    assert resp.status_code == 200, f"{resp.status_code} {resp.text}"
    body = resp.json()
    assert body["issued_token_type"] == ACCESS_TOKEN and body["token_type"] == "Bearer"
    return body


def verify_herald(w: World, token: str) -> dict:
    keys = requests.get(f"{w.herald.issuer('up')}/.well-known/agent-trust-keys", timeout=10).json()
    decoded = jwt.decode(token, jwk.KeySet.import_key_set(keys), algorithms=["ES256", "EdDSA"])
    assert decoded.header["typ"] == "at+jwt"
    return decoded.claims


def refused(resp, error: str, part: str, status: int = 400) -> str:
    body = assert_oauth_error(resp, status, error)
    assert part in body.get("error_description", ""), f"{part!r} not in {body}"
    return body["error_description"]


# -- (a) a real Glewlwyd -------------------------------------------------------------------

def glewlwyd_token(w: World, scope: str) -> str:
    r = requests.post(w.peer["TOKEN_URL"], auth=(w.peer["CLIENT_ID"], w.peer["CLIENT_SECRET"]),
                      data={"grant_type": "client_credentials", "scope": scope}, timeout=15)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert header_of(token)["typ"] == "at+jwt" and header_of(token)["alg"] == "ES256"
    return token


def test_glewlwyd_token_becomes_the_level_its_scope_maps_to(world):
    token = glewlwyd_token(world, "api.read api.write")
    claims = verify_herald(world, issued(world.exchange("orchestrator", token))["access_token"])
    assert claims["sub"] == world.peer["CLIENT_ID"]
    assert claims["idp"] == world.peer["ISSUER"]
    assert claims["mcps"]["trust_level"] == 2 and claims["mcps"]["trust_label"] == "L2 -- Standard"
    assert "trust_score" not in claims["mcps"]
    # the status list entry is the acting agent's (test_upstream_idp_boundaries checks whose)
    assert claims["status"]["status_list"]["uri"] == world.herald.issuer("up") + "/statuslists/1"
    assert claims["realm_access"] == {"roles": ["mcps-l2"]}
    assert claims["act"] == {"sub": "agent-orchestrator", "client_id": "orchestrator"}
    assert claims["exp"] <= claims_of(token)["exp"]

    only_read = glewlwyd_token(world, "api.read")
    assert verify_herald(world, issued(world.exchange("orchestrator", only_read))["access_token"])[
        "mcps"]["trust_level"] == 1


def test_glewlwyd_token_for_a_client_not_in_may_act_is_refused(world):
    refused(world.exchange("coder", glewlwyd_token(world, "api.read")), "invalid_grant",
            "client coder may not act for users of upstream IdP " + world.peer["ISSUER"])


# -- (b) Keycloak and Entra shapes from a loopback JWKS -----------------------------------

def test_keycloak_shape_rs256_maps_realm_roles(world):
    claims = world.keycloak()
    out = verify_herald(world, issued(world.exchange("orchestrator", mint(world.kc_key, claims)))["access_token"])
    assert out["sub"] == claims["sub"] and out["idp"] == world.kc_iss
    assert out["mcps"]["trust_level"] == 3  # agent-operators → L3, the orchestrator is L3 too


def test_keycloak_id_token_is_taken_as_id_token(world):
    id_token = mint(world.kc_key, world.keycloak(aud="herald", typ=None, nonce="n-1", realm_access={"roles": ["staff"]}))
    out = claims_of(issued(world.exchange("orchestrator", id_token, ID_TOKEN))["access_token"])
    assert out["mcps"]["trust_level"] == 1
    # An ID token is typ JWT or none: an access-token typ under id_token is refused.
    at = mint(world.kc_key, world.keycloak(), typ="at+jwt")
    refused(world.exchange("orchestrator", at, ID_TOKEN), "invalid_grant", "typ is at+jwt")


def test_entra_shape_roles_capped_by_max_level_and_oid_as_subject(world):
    claims = world.entra()
    out = verify_herald(world, issued(world.exchange("orchestrator", mint(world.entra_key, claims)))["access_token"])
    assert out["sub"] == claims["oid"] and out["idp"] == world.entra_iss
    assert out["mcps"]["trust_level"] == 3  # Agents.Operate → L4, max_level L3


def test_entra_shape_groups(world):
    claims = world.entra("tenant-2", aud="api://herald", roles=None, groups=[ENTRA_GROUP, str(uuid.uuid4())])
    out = claims_of(issued(world.exchange("orchestrator", mint(world.entra_key, claims)))["access_token"])
    assert out["mcps"]["trust_level"] == 2 and out["idp"] == world.entra_iss.replace("tenant-1", "tenant-2")


# -- (c) refusals --------------------------------------------------------------------------

def test_wrong_issuer(world):
    token = mint(world.kc_key, world.keycloak(iss=world.kc_iss + "-other"))
    refused(world.exchange("orchestrator", token), "invalid_grant",
            f"its issuer {world.kc_iss}-other is neither this realm, a federation peer nor one of the realm's upstream_idps")


def test_wrong_audience(world):
    refused(world.exchange("orchestrator", mint(world.kc_key, world.keycloak(aud="account"))), "invalid_grant",
            "its audience (account) contains none of herald")


def test_expired(world):
    now = int(time.time())
    refused(world.exchange("orchestrator", mint(world.kc_key, world.keycloak(exp=now - 120, iat=now - 400))),
            "invalid_grant", "the token expired at")


def test_not_yet_valid(world):
    now = int(time.time())
    refused(world.exchange("orchestrator", mint(world.kc_key, world.keycloak(nbf=now + 600, exp=now + 900))),
            "invalid_grant", "the token is not valid before")


def test_missing_exp(world):
    refused(world.exchange("orchestrator", mint(world.kc_key, world.keycloak(exp=None))), "invalid_grant",
            "exp is missing")


def test_unknown_kid_after_exactly_one_refetch(world):
    path = "/realms/acme/protocol/openid-connect/certs"
    # Make sure the set is cached, then count.
    issued(world.exchange("orchestrator", mint(world.kc_key, world.keycloak())))
    before = world.jwks.hits.get(path, 0)
    stranger = rsa_key("rotated-away")
    for _ in range(2):  # the second within the re-fetch interval: no second request to the IdP
        refused(world.exchange("orchestrator", mint(stranger, world.keycloak())), "invalid_grant",
                f"no key in the JWKS of upstream IdP {world.kc_iss} has kid rotated-away, also after re-fetching it")
    assert world.jwks.hits.get(path, 0) - before == 1


def test_alg_none(world):
    token = jws_compact({"alg": "none", "typ": "JWT", "kid": "kc-2026"}, world.keycloak(), None)
    refused(world.exchange("orchestrator", token), "invalid_grant", "alg none (an unsigned token) is never accepted")


def test_hs256_keyed_with_the_jwks_public_key(world):
    public = json.dumps(world.kc_key.as_dict(private=False)).encode()
    token = jws_compact({"alg": "HS256", "typ": "JWT", "kid": "kc-2026"}, world.keycloak(), hs256_signer(public))
    refused(world.exchange("orchestrator", token), "invalid_grant",
            "alg HS256 (a shared-secret MAC) is not accepted")


@pytest.mark.parametrize("value, found", [(5, "a number"), ({"roles": ["agent-operators"]}, "an object"),
                                          (["agent-operators", 7], "an array holding non-strings")])
def test_role_claim_of_the_wrong_type(world, value, found):
    token = mint(world.kc_key, world.keycloak(realm_access={"roles": value}))
    refused(world.exchange("orchestrator", token), "invalid_grant",
            f"claim realm_access.roles (roles_claim) must be a space-separated string or an array of strings, not {found}")


def test_no_mapped_role(world):
    token = mint(world.kc_key, world.keycloak(realm_access={"roles": ["offline_access"]}))
    refused(world.exchange("orchestrator", token), "invalid_grant",
            "none of the values of realm_access.roles (offline_access) is mapped to a level")


def test_tampered_signature(world):
    token = mint(world.kc_key, world.keycloak())
    head, _, sig = token.split(".")
    forged = head + "." + jws_compact({}, world.keycloak(realm_access={"roles": ["agent-operators"]}, sub="mallory"),
                                      None).split(".")[1] + "." + sig
    refused(world.exchange("orchestrator", forged), "invalid_grant", "the signature does not verify")


def test_jwks_endpoint_down_then_back(world):
    token = mint(world.kc_key, world.keycloak(iss=world.down_iss))
    down = world.exchange("orchestrator", token)
    assert down.status_code == 503 and down.headers["Content-Type"] == "application/json", down.text
    body = down.json()
    assert body["error"] == "temporarily_unavailable"
    assert f"the signing keys of upstream IdP {world.down_iss} could not be fetched" in body["error_description"]
    assert world.herald.running
    back = JWKSServer(world.down_port)
    world.extra_servers.append(back)
    back.sets["/certs"] = public_set(world.kc_key)
    time.sleep(1.2)  # one fetch attempt per second at most for an IdP that was down
    out = claims_of(issued(world.exchange("orchestrator", token))["access_token"])
    assert out["idp"] == world.down_iss and out["mcps"]["trust_level"] == 3


# -- (d) delegation ------------------------------------------------------------------------

def test_delegation_user_orchestrator_coder_nests_act_and_lowers_the_level(world):
    user = world.keycloak()
    first = issued(world.exchange("orchestrator", mint(world.kc_key, user)))["access_token"]
    assert claims_of(first)["mcps"]["trust_level"] == 3
    second = verify_herald(world, issued(world.exchange("coder", first))["access_token"])
    assert second["sub"] == user["sub"] and second["idp"] == world.kc_iss
    assert second["mcps"]["trust_level"] == 2  # the coding agent is L2
    assert second["act"] == {"sub": "agent-coder", "client_id": "coder",
                             "act": {"sub": "agent-orchestrator", "client_id": "orchestrator"}}


def test_delegation_actor_not_in_may_act_is_refused_at_each_hop(world):
    token = mint(world.kc_key, world.keycloak())
    refused(world.exchange("outsider", token), "invalid_grant",
            f"client outsider may not act for users of upstream IdP {world.kc_iss}: it is not in that IdP's may_act")
    first = issued(world.exchange("orchestrator", token))["access_token"]
    refused(world.exchange("outsider", first), "invalid_grant", "client outsider may not act")
    # The Entra IdP lists only the orchestrator: the coder may not take the next hop.
    entra_first = issued(world.exchange("orchestrator", mint(world.entra_key, world.entra())))["access_token"]
    refused(world.exchange("coder", entra_first), "invalid_grant", "client coder may not act")


def test_subject_token_may_act_claim_is_honoured(world):
    other = mint(world.kc_key, world.keycloak(may_act={"sub": "coder"}))
    refused(world.exchange("orchestrator", other), "invalid_grant", "its may_act names coder, not client orchestrator")
    assert claims_of(issued(world.exchange("coder", other))["access_token"])["mcps"]["trust_level"] == 2


# -- audit ---------------------------------------------------------------------------------

def test_each_decision_is_audited(world):
    from herald_helpers import Admin

    user = world.keycloak()
    token = issued(world.exchange("orchestrator", mint(world.kc_key, user)))["access_token"]
    refused(world.exchange("outsider", mint(world.kc_key, user)), "invalid_grant", "client outsider may not act")
    admin = Admin(world.herald)
    exchanged = [e for e in admin.audit("up", type="token.exchanged") if e.get("agent") == user["sub"]]
    assert len(exchanged) == 1, exchanged
    detail = exchanged[0]["detail"]
    assert detail["idp"] == world.kc_iss and detail["level"] == "L3" and detail["act"] == "agent-orchestrator"
    assert detail["jti"] == claims_of(token)["jti"]
    denied = [e for e in admin.audit("up", type="token.denied", client="outsider")]
    assert any("client outsider may not act for users of upstream IdP" in (e.get("reason") or "") for e in denied), denied


# -- RFC 7523: a client authenticated by its IdP's assertion ------------------------------

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def workload_assertion(w: World, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": w.kc_iss, "sub": "svc-workload", "aud": w.token_url, "exp": now + 300, "iat": now,
              "jti": str(uuid.uuid4()), "azp": "workload"}
    claims.update(overrides)
    return mint(w.kc_key, {k: v for k, v in claims.items() if v is not None})


def with_assertion(w: World, assertion: str):
    return requests.post(w.token_url, timeout=15, data={
        "grant_type": "client_credentials", "client_id": "workload",
        "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})


def test_client_authenticates_with_its_idp_assertion(world):
    assertion = workload_assertion(world)
    claims = verify_herald(world, issued_cc(with_assertion(world, assertion)))
    assert claims["sub"] == "agent-workload" and claims["client_id"] == "workload"
    assert claims["mcps"]["trust_level"] == 1 and "idp" not in claims
    # Single use: the same assertion again is refused.
    assert_oauth_error(with_assertion(world, assertion), 401, "invalid_client")


def issued_cc(resp) -> str:
    assert resp.status_code == 200, f"{resp.status_code} {resp.text}"
    return resp.json()["access_token"]


@pytest.mark.parametrize("overrides, reason", [
    ({"sub": "svc-other"}, "sub svc-other is not svc-workload"),
    ({"aud": "https://elsewhere.example"}, "names neither"),
    ({"jti": None}, "jti is missing"),
    ({"exp": None}, "exp is missing or past"),
    ({"exp": int(time.time()) + 7200}, "expires more than an hour ahead"),
])
def test_idp_assertion_refusals(world, overrides, reason):
    from herald_helpers import Admin

    assert_oauth_error(with_assertion(world, workload_assertion(world, **overrides)), 401, "invalid_client")
    denied = Admin(world.herald).audit("up", type="token.denied", client="workload")
    assert any(reason in (e.get("reason") or "") for e in denied), [e.get("reason") for e in denied]


def test_idp_assertion_unsigned_or_foreign_key_is_refused(world):
    unsigned = jws_compact({"alg": "none", "typ": "JWT", "kid": "kc-2026"},
                           claims_of(workload_assertion(world)), None)
    assert_oauth_error(with_assertion(world, unsigned), 401, "invalid_client")
    foreign = mint(rsa_key("kc-2026"), claims_of(workload_assertion(world)))  # same kid, another key
    assert_oauth_error(with_assertion(world, foreign), 401, "invalid_client")
