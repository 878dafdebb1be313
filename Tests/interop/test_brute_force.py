"""Brute-force limits against a real herald (docs/configuration.md, "brute_force"): failed
client authentications lock the client id and, separately, the source address; while
locked the right credentials are refused with 429 + Retry-After without being checked; the
lock ends after the wait; outcome reports are rate-limited per caller; lockouts are in the
audit log and the metrics. A realm file with small limits and second-long waits keeps the
test short. The server trusts 127.0.0.1 as a proxy, so each test counts its attempts
against an address of its own, sent as X-Forwarded-For."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from herald_helpers import (CLIENT_CREDENTIALS, REALMS_DIR, assert_oauth_error, assertion_claims,
                            assertion_form, ec_public_jwk, jws_compact, ldap_demo_herald, low_s_es256_signer)

SECRET = "bf-secret-0123456789abcdef"
LEDGER_KEY = ec.generate_private_key(ec.SECP256R1())
LIMITS = """
brute_force:
  max_failures: 3
  wait_increment: 2s
  max_wait: 3s
  failure_reset: 1m
  per_address: {max_failures: 6, wait_increment: 2s, max_wait: 3s, failure_reset: 1m}
  event_rate: 2/min
"""


def realm_text() -> str:
    jwks = json.dumps({"keys": [ec_public_jwk(LEDGER_KEY)]})
    return f"""realm: bf
clients:
  - {{client_id: bot, subject: agent-bot, auth: client_secret_basic, secret: "{SECRET}"}}
  - {{client_id: other-bot, subject: agent-other, auth: client_secret_basic, secret: "{SECRET}"}}
  - {{client_id: post-bot, subject: agent-post, auth: client_secret_post, secret: "{SECRET}"}}
  - {{client_id: reporter, subject: agent-reporter, auth: client_secret_basic, secret: "{SECRET}"}}
  - {{client_id: known-bot, subject: agent-known, auth: client_secret_basic, secret: "{SECRET}"}}
  - {{client_id: ledger, subject: agent-ledger, auth: private_key_jwt, jwks: {jwks}}}
directory:
  static:
    agents:
      - {{id: agent-bot, roles: [mcps-l2]}}
      - {{id: agent-other, roles: [mcps-l2]}}
      - {{id: agent-post, roles: [mcps-l2]}}
      - {{id: agent-reporter, roles: [mcps-l2]}}
      - {{id: agent-known, roles: [mcps-l2]}}
      - {{id: agent-ledger, roles: [mcps-l2]}}
""" + LIMITS


@pytest.fixture(scope="module")
def bf(start_herald, tmp_path_factory):
    realms = tmp_path_factory.mktemp("bf-realms")
    (realms / "bf.yaml").write_text(realm_text())
    return start_herald(realms_dir=realms, default_realm="bf", extra_args=["--trusted-proxy", "127.0.0.1"])


class Caller:
    """Requests that claim to come from `address` (through the trusted proxy 127.0.0.1)."""

    def __init__(self, h, address: str):
        self.h, self.address = h, address

    def token(self, client_id: str = "bot", secret: str = SECRET) -> requests.Response:
        """client_secret_basic."""
        return self.form(auth=(client_id, secret))

    def form(self, auth=None, **form) -> requests.Response:
        return requests.post(self.h.token_endpoint("bf"), data={"grant_type": CLIENT_CREDENTIALS, **form},
                             auth=auth, headers={"X-Forwarded-For": self.address}, timeout=10)


def assertion(client_id: str, aud: str, key) -> str:
    return jws_compact({"alg": "ES256", "typ": "JWT"}, assertion_claims(client_id, aud), low_s_es256_signer(key))


def admin_token(h) -> str:
    creds = json.loads((Path(h.data_dir) / "admin-credentials").read_text())
    r = requests.post(h.token_endpoint("master"), data={"grant_type": CLIENT_CREDENTIALS},
                      auth=(creds["client_id"], creds["client_secret"]), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def audit(h, type_: str, realm: str = "bf") -> list[dict]:
    r = requests.get(f"{h.base}/admin/realms/{realm}/audit", params={"type": type_, "limit": 1000},
                     headers={"Authorization": f"Bearer {admin_token(h)}"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def assert_locked(r: requests.Response, whom: str):
    assert r.status_code == 429, r.text
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 3
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"error": "invalid_client",
                        "error_description": f"too many failed authentications {whom}; retry after {wait} s"}
    return wait


def test_right_secret_refused_while_locked_then_accepted(bf):
    c = Caller(bf, "198.51.100.1")
    for _ in range(3):
        assert_oauth_error(c.token(secret="guess"), 401, "invalid_client", www_authenticate=True)
    wait = assert_locked(c.token(), "for this client")
    # The same client from any other address is locked too; another client is not.
    assert_locked(Caller(bf, "198.51.100.2").token(), "for this client")
    assert c.token("other-bot").status_code == 200
    started = [e for e in audit(bf, "auth.lockout.started") if e["client"] == "bot"]
    assert len(started) == 1
    assert started[0]["detail"]["scope"] == "client"
    assert started[0]["detail"]["address"] == "198.51.100.1"
    assert started[0]["detail"]["failures"] == "3"
    assert started[0]["reason"] == "wrong secret for client bot"
    time.sleep(wait + 0.2)
    r = c.token()
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "Bearer"
    ended = [e for e in audit(bf, "auth.lockout.ended") if e["client"] == "bot"]
    assert ended and ended[-1]["detail"]["refused"] == "2"


def test_backoff_grows_after_the_lock(bf):
    c = Caller(bf, "198.51.100.3")
    for _ in range(3):
        assert c.form(client_id="post-bot", client_secret="guess").status_code == 401
    first = assert_locked(c.form(client_id="post-bot", client_secret=SECRET), "for this client")
    assert first == 2
    time.sleep(first + 0.2)
    # The run is kept after the lock: one more failure locks again, for one increment more
    # (2 s + 2 s, capped by max_wait at 3 s).
    assert c.form(client_id="post-bot", client_secret="guess").status_code == 401
    assert assert_locked(c.form(client_id="post-bot", client_secret=SECRET), "for this client") == 3


def test_private_key_jwt_failures_count(bf):
    c = Caller(bf, "198.51.100.4")
    aud = bf.token_endpoint("bf")
    stranger = ec.generate_private_key(ec.SECP256R1())
    for _ in range(3):
        r = c.form(**assertion_form("ledger", assertion("ledger", aud, stranger)))
        assert_oauth_error(r, 401, "invalid_client")
    assert_locked(c.form(**assertion_form("ledger", assertion("ledger", aud, LEDGER_KEY))), "for this client")
    # The same assertion verifies once the lock is over (so it was refused unchecked).
    time.sleep(2.2)
    assert c.form(**assertion_form("ledger", assertion("ledger", aud, LEDGER_KEY))).status_code == 200


def test_unknown_client_locks_like_a_known_one(bf):
    for client_id, address in (("ghost-bot", "198.51.100.5"), ("known-bot", "198.51.100.6")):
        for _ in range(3):
            assert Caller(bf, address).token(client_id, "guess").status_code == 401
    c = Caller(bf, "198.51.100.7")
    ghost, known = c.token("ghost-bot"), c.token("known-bot")
    assert ghost.status_code == known.status_code == 429
    assert ghost.json() == known.json()
    assert ghost.headers["Retry-After"] == known.headers["Retry-After"]


def test_address_lock_is_independent_of_the_client(bf):
    c = Caller(bf, "203.0.113.7")
    for index in range(6):
        assert c.token(f"spray-{index}", "guess").status_code == 401
    assert_locked(c.token("other-bot"), "from this address")
    addressed = [e for e in audit(bf, "auth.lockout.started")
                 if e["detail"]["scope"] == "address" and e["detail"]["address"] == "203.0.113.7"]
    assert len(addressed) == 1 and addressed[0]["client"] is None
    # The clients it named are not locked from elsewhere.
    assert Caller(bf, "203.0.113.8").token("other-bot").status_code == 200


def test_outcome_reports_rate_limited_per_caller(bf):
    url = f"{bf.issuer('bf')}/agents/agent-bot/events"
    def report(caller: str):
        return requests.post(url, json={"outcome": "success", "reference": "r"}, auth=(caller, SECRET),
                             headers={"X-Forwarded-For": "192.0.2.10"}, timeout=10)
    assert [report("reporter").status_code for _ in range(2)] == [202, 202]
    limited = report("reporter")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert limited.json()["error"] == "rate_limited"
    assert report("other-bot").status_code == 202


def test_metrics_show_failures_and_lockouts(bf):
    text = requests.get(f"{bf.base}/metrics", timeout=10).text
    def value(line_prefix: str) -> float:
        for line in text.splitlines():
            if line.startswith(line_prefix):
                return float(line.rsplit(" ", 1)[1])
        raise AssertionError(f"no {line_prefix} in /metrics")
    assert value('herald_client_auth_failures_total{realm="bf"}') >= 15
    assert value('herald_client_auth_lockouts_total{realm="bf",scope="client"}') >= 3
    assert value('herald_client_auth_lockouts_total{realm="bf",scope="address"}') >= 1
    assert value('herald_client_auth_locked_refusals_total{realm="bf",scope="client"}') >= 3
    assert value('herald_outcome_reports_rate_limited_total{realm="bf"}') >= 1
    assert any(line.startswith('herald_client_auth_locked{') for line in text.splitlines())


def test_admin_login_locked_after_30_failures(start_herald, tmp_path_factory, tmp_path):
    """The master realm has the defaults (30 failures); `herald login` says what happened.
    A server of its own: its admin client stays locked for a minute."""
    realms = tmp_path_factory.mktemp("bf-admin")
    (realms / "bf.yaml").write_text(realm_text())
    h = start_herald(realms_dir=realms, default_realm="bf")
    credentials = Path(h.data_dir) / "admin-credentials"
    creds = json.loads(credentials.read_text())
    def login(secret):
        return requests.post(h.token_endpoint("master"), data={"grant_type": CLIENT_CREDENTIALS},
                             auth=(creds["client_id"], secret), timeout=10)
    for _ in range(30):
        assert_oauth_error(login("guess"), 401, "invalid_client")
    r = login(creds["client_secret"])
    assert r.status_code == 429 and r.json()["error"] == "invalid_client"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    binary = os.environ.get("HERALD_BIN", str(REALMS_DIR.parent / ".build" / "debug" / "herald"))
    done = subprocess.run([binary, "login", "--server", h.base, "--credentials", str(credentials)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)})
    assert done.returncode != 0
    assert "login refused (429 invalid_client): too many failed authentications for this client" in done.stderr
    assert "locked this client or this address out" in done.stderr


def test_forwarded_for_ignored_without_trusted_proxy(start_herald, tmp_path_factory):
    realms = tmp_path_factory.mktemp("bf-untrusted")
    (realms / "bf.yaml").write_text(realm_text())
    h = start_herald(realms_dir=realms, default_realm="bf")
    for index in range(6):
        assert Caller(h, f"203.0.113.{index + 20}").token(f"spray-{index}", "guess").status_code == 401
    # Every attempt counted against the peer 127.0.0.1, whatever the header said.
    assert_locked(Caller(h, "203.0.113.99").token("other-bot"), "from this address")
    assert audit(h, "auth.lockout.started")[0]["detail"]["address"] == "127.0.0.1"


@pytest.fixture(scope="module")
def ldap_bf(start_herald, tmp_path_factory):
    """The LDAP demo realm with the small limits: passwords are the guessable secrets."""
    with ldap_demo_herald(start_herald, tmp_path_factory.mktemp("bf-ldap"),
                          LIMITS.replace("max_failures: 6", "max_failures: 50")) as h:
        yield h


@pytest.mark.parametrize("client_id, password", [
    ("payments-bot", "demo-payments-password"),     # ldap_bind
    ("agent-research", "demo-research-password"),   # agent_bind: no registered client
])
def test_ldap_password_guessing_locks(ldap_bf, client_id, password):
    url = ldap_bf.token_endpoint("acme-ldap")
    def token(secret):
        return requests.post(url, data={"grant_type": CLIENT_CREDENTIALS}, auth=(client_id, secret), timeout=10)
    for _ in range(3):
        assert_oauth_error(token("guess"), 401, "invalid_client")
    assert_locked(token(password), "for this client")
    time.sleep(int(token(password).headers["Retry-After"]) + 0.2)
    assert token(password).status_code == 200
