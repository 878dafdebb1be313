"""The herald the attack corpus (test_attacks_*.py) forges inputs against.

One instance for the whole corpus, with realm files written here (so every client key is
one the test holds, and no other test shares the clients the corpus fails against):

* ``atk`` (ES256): private_key_jwt clients with EC, Ed25519 and both kinds of keys, secret
  clients for callers, token owners, an agent that gets killed, clients with their own
  audiences; a fake federation peer (``FakePeer``) whose agents the corpus forges tokens for;
* ``atk2`` (EdDSA, then ES256): a second realm for cross-realm reuse, with a client of the
  same name and agent as one of ``atk``;
* ``atkkeys`` (ES256): a realm whose signing key the corpus revokes.

The ``attack_world`` fixture (session scope) is registered for the suite in conftest.py.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import yaml
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from herald_helpers import (ASSERTION_TYPE, CLIENT_CREDENTIALS, Admin, FakePeer, describe, ec_public_jwk,
                            okp_public_jwk, rfc7638_thumbprint)

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
PEER = "peer"            # the fake peer's name for tokens (entity {fake.base}/peer)
BUNDLE_PEER = "bundles"  # the fake peer's name for bundle attacks


def _secret_client(client_id, subject, auth="client_secret_basic", **extra):
    return {"client_id": client_id, "subject": subject, "auth": auth, "secret_file": f"secrets/{client_id}", **extra}


def _jwt_client(client_id, subject, jwks, **extra):
    return {"client_id": client_id, "subject": subject, "auth": "private_key_jwt", "jwks": {"keys": jwks}, **extra}


@dataclass
class World:
    """The running instance and everything the corpus needs to talk to it."""

    herald: object
    admin: Admin
    fake: FakePeer
    secrets: dict[str, str]
    keys: dict[str, object]          # client id -> private key (EC or Ed25519)
    kids: dict[str, str]             # client id -> the kid registered for its key
    cursors: dict[str, int] = field(default_factory=dict)

    # -- URLs -------------------------------------------------------------------------------
    def issuer(self, realm="atk") -> str:
        return self.herald.issuer(realm)

    def token_endpoint(self, realm="atk") -> str:
        return self.herald.token_endpoint(realm)

    def introspect_url(self, realm="atk") -> str:
        return self.token_endpoint(realm) + "/introspect"

    def revoke_url(self, realm="atk") -> str:
        return self.issuer(realm) + "/protocol/openid-connect/revoke"

    def gate_url(self, realm="atk") -> str:
        return self.issuer(realm) + "/mcp/verify"

    # -- honest requests ----------------------------------------------------------------------
    def basic(self, client_id: str, realm="atk") -> tuple[str, str]:
        return client_id, self.secrets.get(f"{realm}:{client_id}", self.secrets.get(client_id, ""))

    def token(self, client_id: str, realm="atk", **form) -> str:
        """An access token of a secret client (Basic)."""
        r = requests.post(self.token_endpoint(realm), auth=self.basic(client_id, realm), timeout=10,
                          data={"grant_type": CLIENT_CREDENTIALS, **form})
        assert r.status_code == 200, describe(r)
        return r.json()["access_token"]

    def post_token(self, form: dict, realm="atk", auth=None) -> requests.Response:
        return requests.post(self.token_endpoint(realm), data=form, auth=auth, timeout=10)

    def assertion_form(self, client_id: str, assertion: str, **extra) -> dict:
        form = {"grant_type": CLIENT_CREDENTIALS, "client_id": client_id,
                "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}
        form.update(extra)
        return {k: v for k, v in form.items() if v is not None}

    def introspect(self, token: str, realm="atk", caller="atk-gate") -> requests.Response:
        return requests.post(self.introspect_url(realm), auth=self.basic(caller, realm), data={"token": token},
                             timeout=10)

    def revoke(self, token: str, caller: str, realm="atk") -> requests.Response:
        return requests.post(self.revoke_url(realm), auth=self.basic(caller, realm), data={"token": token}, timeout=10)

    def exchange(self, subject_token: str, actor="atk-actor", realm="atk", **extra) -> requests.Response:
        form = {"grant_type": TOKEN_EXCHANGE, "subject_token": subject_token,
                "subject_token_type": ACCESS_TOKEN_TYPE, **extra}
        return requests.post(self.token_endpoint(realm), auth=self.basic(actor, realm), timeout=10,
                             data={k: v for k, v in form.items() if v is not None})

    def gate(self, body: dict, realm="atk", caller="atk-gate", **kw) -> requests.Response:
        kw.setdefault("auth", self.basic(caller, realm))
        return requests.post(self.gate_url(realm), json=body, timeout=10, **kw)

    def refresh_peer(self, entity: str, realm="atk") -> dict:
        r = self.admin.call("POST", f"{realm}/federation/peers/{peer_id(entity)}/refresh")
        assert r.status_code == 200, describe(r)
        return r.json()

    # -- audit --------------------------------------------------------------------------------
    def mark(self, realm="atk") -> int:
        """The realm's last audit sequence number now: entries after it are the next
        request's (the corpus runs one request at a time on its own realms)."""
        entries = self.admin.audit(realm, type="*", after=self.cursors.get(realm, 0))
        if entries:
            self.cursors[realm] = entries[-1]["seq"]
        return self.cursors.get(realm, 0)

    def entries_after(self, mark: int, type_: str, realm="atk") -> list[dict]:
        return self.admin.audit(realm, type=type_, after=mark)


def peer_id(entity: str) -> str:
    import hashlib
    return "peer-" + hashlib.sha256(entity.encode()).hexdigest()[:10]


def _write_realms(root: Path, base: str) -> tuple[dict, dict, dict]:
    """Writes the three realm files and the client secrets; returns (secrets, keys, kids)."""
    (root / "secrets").mkdir(parents=True)
    keys = {
        "atk-es": ec.generate_private_key(ec.SECP256R1()),
        "atk-es-b": ec.generate_private_key(ec.SECP256R1()),
        "atk-ed": ed25519.Ed25519PrivateKey.generate(),
        "atk-dual": ec.generate_private_key(ec.SECP256R1()),
        "atk-dual-ed": ed25519.Ed25519PrivateKey.generate(),
        "atk-time": ec.generate_private_key(ec.SECP256R1()),
        "atk-typ": ec.generate_private_key(ec.SECP256R1()),
        "atk-keysel": ec.generate_private_key(ec.SECP256R1()),
        "atk-audc": ec.generate_private_key(ec.SECP256R1()),
        "atk-dup": ec.generate_private_key(ec.SECP256R1()),
        "atk-enc": ec.generate_private_key(ec.SECP256R1()),
        "atk2-es": ec.generate_private_key(ec.SECP256R1()),
    }

    def jwk(name, kid=None):
        key = keys[name]
        public = ec_public_jwk(key) if isinstance(key, ec.EllipticCurvePrivateKey) else okp_public_jwk(key)
        return dict(public, kid=kid) if kid else public

    kids = {name: rfc7638_thumbprint(jwk(name)) for name in keys}
    kids["atk-es"] = "atk-es-key-1"
    secret_clients = ["atk-gate", "atk-alice", "atk-bob", "atk-actor", "atk-victim", "atk-aud", "atk-aud2",
                      "atk2-gate", "atk2-alice", "keys-bot", "keys-gate"]
    client_secrets = {c: secrets.token_urlsafe(24) for c in secret_clients}
    for c, s in client_secrets.items():
        (root / "secrets" / c).write_text(s + "\n")

    tools = {"database-mcp/query": "L1", "payments-mcp/charge": "L3"}
    atk = {
        "realm": "atk", "display_name": "Attack corpus",
        "token": {"lifetime": "300s", "algorithms": ["ES256"]},
        "clients": [
            _jwt_client("atk-es", "agent-es", [jwk("atk-es", "atk-es-key-1")]),
            _jwt_client("atk-es-b", "agent-es-b", [jwk("atk-es-b")]),
            _jwt_client("atk-ed", "agent-ed", [jwk("atk-ed")]),
            _jwt_client("atk-dual", "agent-dual", [jwk("atk-dual"), jwk("atk-dual-ed")]),
            _jwt_client("atk-time", "agent-time", [jwk("atk-time")]),
            _jwt_client("atk-typ", "agent-typ", [jwk("atk-typ")]),
            # one client per group of assertion attacks (brute-force limits count per client)
            *[_jwt_client(c, "agent-es", [jwk(c)]) for c in ("atk-keysel", "atk-audc", "atk-dup", "atk-enc")],
            _secret_client("atk-gate", "agent-gate"),
            _secret_client("atk-alice", "agent-alice", "client_secret_post"),
            _secret_client("atk-bob", "agent-bob"),
            _secret_client("atk-actor", "agent-actor"),
            _secret_client("atk-victim", "agent-victim"),
            _secret_client("atk-aud", "agent-aud", audience=["https://payments.atk.test"]),
            _secret_client("atk-aud2", "agent-aud2",
                           audience=["https://payments.atk.test", f"{base}/realms/atk"]),
        ],
        "directory": {"static": {"agents": [
            {"id": "agent-es", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-es-b", "org": "ops", "roles": ["mcps-l1"]},
            {"id": "agent-ed", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-dual", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-time", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-typ", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-gate", "org": "ops", "roles": ["mcps-l1"]},
            {"id": "agent-alice", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-bob", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-actor", "org": "ops", "roles": ["mcps-l4"]},
            {"id": "agent-victim", "org": "victims", "roles": ["mcps-l3"]},
            {"id": "agent-aud", "org": "ops", "roles": ["mcps-l2"]},
            {"id": "agent-aud2", "org": "ops", "roles": ["mcps-l2"]},
        ]}},
        "tools": tools, "default_tool_level": "deny",
    }
    atk2 = {
        "realm": "atk2", "display_name": "Attack corpus, second realm",
        "token": {"lifetime": "300s", "algorithms": ["EdDSA", "ES256"]},
        "clients": [
            # the same client id and agent as in atk: only iss and the keys tell them apart
            _secret_client("atk-gate", "agent-gate", secret_file="secrets/atk2-gate"),
            _secret_client("atk2-alice", "agent-alice"),
            _jwt_client("atk-es", "agent-es", [jwk("atk2-es")]),
        ],
        "directory": {"static": {"agents": [
            {"id": "agent-gate", "roles": ["mcps-l4"]},
            {"id": "agent-alice", "roles": ["mcps-l4"]},
            {"id": "agent-es", "roles": ["mcps-l4"]},
        ]}},
        "tools": tools, "default_tool_level": "deny",
    }
    atkkeys = {
        "realm": "atkkeys", "display_name": "Attack corpus, key revocation",
        "token": {"lifetime": "300s", "algorithms": ["ES256"]},
        "clients": [_secret_client("keys-bot", "agent-k"), _secret_client("keys-gate", "agent-kg")],
        "directory": {"static": {"agents": [{"id": "agent-k", "roles": ["mcps-l2"]},
                                            {"id": "agent-kg", "roles": ["mcps-l1"]}]}},
        "tools": tools, "default_tool_level": "deny",
    }
    for doc in (atk, atk2, atkkeys):
        (root / f"{doc['realm']}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    client_secrets["atk2:atk-gate"] = client_secrets["atk2-gate"]
    return client_secrets, keys, kids


@pytest.fixture(scope="session")
def attack_world(start_herald, tmp_path_factory) -> World:
    from conftest import free_port
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    root = tmp_path_factory.mktemp("attack-realms")
    client_secrets, keys, kids = _write_realms(root, base)
    herald = start_herald(realms_dir=root, default_realm="atk", port=port)
    admin = Admin(herald)
    fake = FakePeer()
    world = World(herald=herald, admin=admin, fake=fake, secrets=client_secrets, keys=keys, kids=kids)

    # The fake peer whose agents' tokens the corpus forges: a fresh bundle on every fetch.
    now = int(time.time())
    sequence = iter(range(10**6, 10**9))
    agents = [
        {"sub": "fake-agent", "trust_level": 4, "trust_score": 90, "pipeline_stage": "ACTIVE", "status": "active",
         "updated_at": now},
        {"sub": "fake-stopped", "trust_level": 0, "trust_score": 10, "pipeline_stage": "ACTIVE", "status": "suspended",
         "updated_at": now},
        # the same id as a local agent of atk, L4 at the peer
        {"sub": "agent-actor", "trust_level": 4, "trust_score": 90, "pipeline_stage": "ACTIVE", "status": "active",
         "updated_at": now},
    ]
    fake.serve(PEER, lambda: fake.bundle(PEER, next(sequence), agents=agents))
    added = admin.call("POST", "atk/federation/peers",
                       {"entity": fake.entity(PEER), "pin": fake.pin, "max_level": "L3", "refresh": "1h"})
    assert added.status_code == 201 and added.json()["status"] == "ok", added.text

    # A master-realm client whose agent lacks herald-admin.
    assert admin.call("POST", "master/agents", {"id": "atk-not-admin", "roles": []}).status_code == 201
    created = admin.call("POST", "master/clients",
                         {"client_id": "atk-not-admin", "subject": "atk-not-admin", "auth": "client_secret_basic"})
    assert created.status_code == 201, created.text
    client_secrets["master:atk-not-admin"] = created.json()["client_secret"]
    yield world
    fake.stop()
