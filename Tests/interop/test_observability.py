"""Readiness, the access log and the metrics of a real `herald serve` (docs/operations.md).

* ``/health/ready`` goes 503 when LDAP (a real slapd, stopped), the store (a real second
  SQLite connection holding the write lock, as a stuck `sqlite3` shell or backup job would)
  or a federation peer (its bundle server answering 503 past ``max_staleness``) goes away,
  names the failing check, and goes back to 200 when it returns. With the default
  ``--readiness-federation report`` a stale peer is reported (``degraded``) and the server
  stays ready.
* After a short run (tokens issued and denied, gate decisions, LDAP lookups, a refused peer
  refresh) every metric of docs/operations.md is in ``/metrics``, and every metric that
  deploy/prometheus/herald-alerts.yaml and deploy/grafana/herald-dashboard.json use is one
  Herald exports.
* The access log line (JSON and text) carries the ``X-Request-Id`` the response returned,
  given or generated, and never the query string.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from herald_helpers import REALMS_DIR, REPO, Admin, FakePeer, client_secret, ldap_demo_herald

FIXTURE = REALMS_DIR.parent / "scripts" / "slapd-fixture.sh"
GATE_TOOLS = "tools:\n  payments-mcp/charge: L3\n  files-mcp/*: L1\ndefault_tool_level: deny\n"

#: Every metric docs/operations.md documents (histograms by their base name).
METRICS = [
    "herald_http_requests_total", "herald_http_request_duration_seconds",
    "herald_tokens_issued_total", "herald_token_denials_total",
    "herald_client_auth_failures_total",
    "herald_audit_write_duration_seconds", "herald_audit_queue_depth", "herald_audit_write_errors_total",
    "herald_signing_key_age_seconds", "herald_signing_key_next_rotation_seconds",
    "herald_ldap_request_duration_seconds", "herald_ldap_errors_total",
    "herald_ldap_cache_hits_total", "herald_ldap_cache_misses_total", "herald_ldap_up",
    "herald_federation_bundle_age_seconds", "herald_federation_bundle_stale", "herald_federation_refusals_total",
    "herald_gate_decisions_total", "herald_ready", "herald_readiness_check_up",
]


def ready(h) -> tuple[int, dict]:
    r = requests.get(f"{h.base}/health/ready", timeout=15)
    return r.status_code, r.json()


def wait_ready(h, status: int, timeout: float = 20.0) -> dict:
    """Polls /health/ready until it answers `status`; returns that body."""
    deadline = time.monotonic() + timeout
    while True:
        code, body = ready(h)
        if code == status:
            assert body["status"] == ("ready" if status == 200 else "not_ready"), body
            return body
        assert time.monotonic() < deadline, f"/health/ready stayed {code}, wanted {status}: {body}"
        time.sleep(0.3)


def scrape(h) -> dict[str, list[str]]:
    """Metric family name → its sample lines."""
    text = requests.get(f"{h.base}/metrics", timeout=10).text
    families: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            families.setdefault(line.split()[2], [])
        elif line and not line.startswith("#"):
            name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            families.setdefault(base if base in families else name, []).append(line)
    return families


def access_lines(h) -> list[str]:
    return [line for line in h.log_path.read_text(errors="replace").splitlines() if "access" in line]


def token(h, realm, client_id, secret):
    return requests.post(h.token_endpoint(realm), data={"grant_type": "client_credentials"},
                         auth=(client_id, secret), timeout=10)


class Peer:
    """A peer on a FakePeer whose bundle server can go down and come back."""

    def __init__(self, fake: FakePeer, name: str):
        self.fake, self.name = fake, name
        self.sequence = itertools.count(1)
        self.up()

    @property
    def entity(self) -> str:
        return self.fake.entity(self.name)

    def up(self):
        self.fake.serve(self.name, lambda: self.fake.bundle(self.name, next(self.sequence)))

    def down(self):
        self.fake.serve(self.name, "down", status=503)

    def add_to(self, admin: Admin, realm: str):
        added = admin.call("POST", f"{realm}/federation/peers",
                           {"entity": self.entity, "pin": self.fake.pin, "max_level": "L2", "max_staleness": "5s"})
        assert added.status_code == 201 and added.json()["status"] == "ok", added.text

    def refresh(self, admin: Admin, realm: str) -> dict:
        peer_id = "peer-" + hashlib.sha256(self.entity.encode()).hexdigest()[:10]
        return admin.call("POST", f"{realm}/federation/peers/{peer_id}/refresh").json()


@pytest.fixture(scope="module")
def fake():
    peer = FakePeer()
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("observability")


@pytest.fixture(scope="module")
def ldap_herald(start_herald, work):
    """The LDAP demo realm; stale peers fail readiness; JSON access log."""
    with ldap_demo_herald(start_herald, work, extra_realm_yaml=GATE_TOOLS,
                          extra_args=["--access-log", "json", "--readiness-federation", "required"]) as h:
        yield h


def test_ready_names_every_component(ldap_herald):
    body = wait_ready(ldap_herald, 200)
    checks = body["checks"]
    assert checks["store"]["status"] == "ok" and checks["audit"]["status"] == "ok", checks
    realm = checks["realm:acme-ldap"]
    assert realm["status"] == "ok" and realm["keys"]["status"] == "ok", realm
    assert realm["ldap"] == dict(realm["ldap"], status="ok", reachable=True, mode="live"), realm
    assert checks["audit"]["max_pending"] > 0
    assert requests.get(f"{ldap_herald.base}/health/live", timeout=5).json() == {"status": "ok"}


def test_ldap_going_away_makes_the_server_unready_until_it_is_back(ldap_herald, work):
    wait_ready(ldap_herald, 200)
    slapd = work / "slapd"
    subprocess.run([str(FIXTURE), "stop", str(slapd)], check=True, capture_output=True, timeout=30)
    try:
        body = wait_ready(ldap_herald, 503)
        ldap = body["checks"]["realm:acme-ldap"]["ldap"]
        assert ldap["status"] == "fail" and ldap["reachable"] is False and "LDAP" in ldap["error"], ldap
        assert body["checks"]["store"]["status"] == "ok"
        # Fail closed meanwhile: an LDAP agent gets no token.
        assert token(ldap_herald, "acme-ldap", "payments-bot", "demo-payments-password").status_code == 503
        assert "herald_ldap_up{realm=\"acme-ldap\"} 0.0" in scrape(ldap_herald)["herald_ldap_up"]
    finally:
        subprocess.run([str(FIXTURE), "start", str(slapd)], check=True, capture_output=True, timeout=60)
    body = wait_ready(ldap_herald, 200)
    assert body["checks"]["realm:acme-ldap"]["ldap"]["reachable"] is True
    assert token(ldap_herald, "acme-ldap", "payments-bot", "demo-payments-password").status_code == 200


def test_a_locked_store_makes_the_server_unready_until_it_is_released(ldap_herald):
    wait_ready(ldap_herald, 200)
    # A real second writer: SQLite's write lock held by another connection, as a stuck
    # `sqlite3` shell or a misbehaving backup job would. Herald can still read, but cannot
    # record an audit entry, so it must not take traffic.
    holder = sqlite3.connect(str(ldap_herald.data_dir / "herald.sqlite"), timeout=5, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        time.sleep(2.5)  # past the probe cache
        body = wait_ready(ldap_herald, 503)
        store = body["checks"]["store"]
        assert store["status"] == "fail" and "cannot be written" in store["error"], store
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    body = wait_ready(ldap_herald, 200, timeout=30)
    assert body["checks"]["store"]["status"] == "ok"


def test_a_stale_peer_fails_readiness_when_required(ldap_herald, fake):
    admin = Admin(ldap_herald)
    peer = Peer(fake, "obs-required")
    peer.add_to(admin, "acme-ldap")
    body = wait_ready(ldap_herald, 200)
    check = body["checks"][f"federation:{peer.entity}"]
    assert check["status"] == "ok" and check["realm"] == "acme-ldap" and check["bundle_age_seconds"] >= 0, check

    peer.down()
    assert peer.refresh(admin, "acme-ldap")["status"] == "unreachable"
    body = wait_ready(ldap_herald, 503, timeout=15)
    check = body["checks"][f"federation:{peer.entity}"]
    assert check["status"] == "fail" and "max_staleness" in check["error"], check

    peer.up()
    assert peer.refresh(admin, "acme-ldap")["status"] == "ok"
    assert wait_ready(ldap_herald, 200)["checks"][f"federation:{peer.entity}"]["status"] == "ok"


def test_every_metric_is_exported_after_a_short_run(ldap_herald, fake):
    h = ldap_herald
    wait_ready(h, 200)
    for _ in range(3):
        assert token(h, "acme-ldap", "payments-bot", "demo-payments-password").status_code == 200
        assert token(h, "acme-ldap", "payments-bot", "wrong-password").status_code == 401
        assert token(h, "acme-ldap", "treasury-bot", "demo-treasury-secret-0123456789").status_code == 200
    gate_auth = ("treasury-bot", "demo-treasury-secret-0123456789")
    for tool, decision in [("charge", "ALLOW"), ("refund", "DENY")]:
        reply = requests.post(f"{h.issuer('acme-ldap')}/mcp/verify", auth=gate_auth, timeout=10,
                              json={"agent_id": "agent-treasury", "mcp_server_id": "payments-mcp", "tool_name": tool})
        assert reply.status_code == 200 and reply.json()["decision"] == decision, reply.text
    # A peer whose bundle server fails once: a refusal, then a good bundle again.
    admin = Admin(h)
    peer = Peer(fake, "obs-metrics")
    peer.add_to(admin, "acme-ldap")
    peer.down()
    assert peer.refresh(admin, "acme-ldap")["status"] == "unreachable"
    peer.up()
    assert peer.refresh(admin, "acme-ldap")["status"] == "ok"
    families = scrape(h)
    missing = [name for name in METRICS if not families.get(name)]
    assert not missing, f"not in /metrics: {missing}"

    def samples(name):
        return "\n".join(families[name])
    assert 'herald_tokens_issued_total{realm="acme-ldap",grant="client_credentials",level="L' in samples(
        "herald_tokens_issued_total")
    assert 'herald_token_denials_total{realm="acme-ldap",reason="invalid_client"} 3' in samples(
        "herald_token_denials_total")
    gates = samples("herald_gate_decisions_total")
    assert 'decision="ALLOW",tool="payments-mcp/charge"' in gates
    assert 'decision="DENY",tool="other"' in gates  # an unlisted tool is not a label of its own
    assert 'status_class="2xx"' in samples("herald_http_requests_total")
    assert 'route="/realms/{realm}/protocol/openid-connect/token"' in samples("herald_http_requests_total")
    assert 'realm="acme-ldap"' in samples("herald_ldap_cache_hits_total")
    assert f'peer="{peer.entity}",reason="unreachable"}} 1' in samples("herald_federation_refusals_total")
    assert f'herald_federation_bundle_stale{{realm="acme-ldap",peer="{peer.entity}"}} 0' in samples(
        "herald_federation_bundle_stale")
    age = [line for line in families["herald_signing_key_age_seconds"] if 'realm="acme-ldap"' in line]
    assert age and float(age[0].split()[-1]) >= 0
    assert 'herald_ready 1.0' in samples("herald_ready")

    # Every metric the alert rules and the dashboard use is one Herald exports.
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "herald-alerts.yaml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert len(expressions) >= 10 and all(rule.get("alert") for g in rules["groups"] for rule in g["rules"])
    dashboard = json.loads((REPO / "deploy" / "grafana" / "herald-dashboard.json").read_text())
    assert dashboard["title"] and dashboard["uid"] and dashboard["schemaVersion"] >= 30
    targets = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(targets) >= 20
    used = {re.sub(r"_(bucket|sum|count)$", "", name)
            for expr in expressions + targets for name in re.findall(r"\bherald_[a-z0-9_]+", expr)}
    unknown = sorted(used - set(families))
    assert not unknown, f"used by deploy/ but not exported: {unknown}"
    assert set(METRICS) - {"herald_client_auth_failures_total"} <= used | {"herald_http_request_duration_seconds"}


def test_the_json_access_log_carries_the_request_id(ldap_herald):
    h = ldap_herald
    given = requests.get(f"{h.base}/health/ready", headers={"X-Request-Id": "obs-given-42"}, timeout=10)
    assert given.headers["X-Request-Id"] == "obs-given-42"
    generated = requests.post(f"{h.token_endpoint('acme-ldap')}?client_secret=leak-me",
                              data={"grant_type": "client_credentials"}, auth=("payments-bot", "demo-payments-password"),
                              timeout=10)
    assert generated.status_code == 200
    request_id = generated.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    forged = requests.get(f"{h.base}/nowhere", headers={"X-Request-Id": 'x" injected=1'}, timeout=10)
    assert forged.status_code == 404 and re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-Id"])
    time.sleep(0.2)
    entries = {}
    for line in access_lines(h):
        if line.startswith("{"):
            entry = json.loads(line)
            entries[entry["request_id"]] = entry
    assert entries["obs-given-42"]["path"] == "/health/ready" and entries["obs-given-42"]["status"] == 200
    entry = entries[request_id]
    assert entry == dict(entry, method="POST", path="/realms/acme-ldap/protocol/openid-connect/token", status=200,
                         realm="acme-ldap", client_id="payments-bot", remote="127.0.0.1"), entry
    assert entry["bytes"] > 0 and entry["duration_ms"] >= 0 and entry["ts"].endswith("Z")
    assert entries[forged.headers["X-Request-Id"]]["status"] == 404
    log = h.log_path.read_text(errors="replace")
    assert "leak-me" not in log and "demo-payments-password" not in log and "injected" not in log


def test_default_policy_reports_a_stale_peer_and_the_text_access_log(start_herald, fake):
    h = start_herald(extra_args=["--access-log", "text"])
    admin = Admin(h)
    peer = Peer(fake, "obs-report")
    peer.add_to(admin, "acme")
    peer.down()
    assert peer.refresh(admin, "acme")["status"] == "unreachable"
    deadline = time.monotonic() + 15
    while True:
        code, body = ready(h)
        check = body["checks"][f"federation:{peer.entity}"]
        if check["status"] != "ok":
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.3)
    # Reported, not failing: every replica shares the peer, and its agents are held at L0 anyway.
    assert code == 200 and body["status"] == "ready" and check["status"] == "degraded", body
    assert "herald_federation_bundle_stale" in scrape(h)

    reply = token(h, "acme", "procurement-bot", client_secret("procurement-bot"))
    assert reply.status_code == 200, reply.text
    request_id = reply.headers["X-Request-Id"]
    time.sleep(0.2)
    line = next(line for line in access_lines(h) if f"request_id={request_id} " in line)
    assert " method=POST path=/realms/acme/protocol/openid-connect/token status=200 " in line, line
    assert " realm=acme client_id=procurement-bot" in line and " remote=127.0.0.1 " in line, line

    # The request's other log lines carry its id too (here the denial's info line).
    denied = requests.post(h.token_endpoint("acme"), data={"grant_type": "client_credentials"},
                           auth=("procurement-bot", "wrong"), headers={"X-Request-Id": "obs-denied-7"}, timeout=10)
    assert denied.status_code == 401 and denied.headers["X-Request-Id"] == "obs-denied-7"
    time.sleep(0.2)
    log = h.log_path.read_text(errors="replace").splitlines()
    assert any("token denied" in line and "request.id=obs-denied-7" in line for line in log), log[-5:]
    assert any(line.startswith(tuple("0123456789")) and "access request_id=obs-denied-7 " in line
               and "status=401" in line for line in log)
