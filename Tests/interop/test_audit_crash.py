"""Crash consistency of the audit log (issue: admin API and audit).

kill -9 during a burst of token requests and admin writes: after a restart, every request
that received a 2xx has its audit entry, and `herald audit verify` passes offline.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import threading
import time

import requests

from conftest import herald_binary
from herald_helpers import client_secret


def _jti(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]


def _admin_token(h) -> str:
    creds = json.loads((h.data_dir / "admin-credentials").read_text())
    r = requests.post(h.token_endpoint("master"), data={"grant_type": "client_credentials"},
                      auth=(creds["client_id"], creds["client_secret"]), timeout=10)
    r.raise_for_status()
    return r.json()["access_token"]


def _audit(h, token: str, type_: str) -> list[dict]:
    entries, after = [], None
    while True:
        params = {"type": type_, "limit": 1000}
        if after is not None:
            params["after"] = after
        r = requests.get(f"{h.base}/admin/realms/acme/audit", params=params,
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
        r.raise_for_status()
        body = r.json()
        entries += body["entries"]
        if body["next_after"] is None:
            return entries
        after = body["next_after"]


def test_kill_9_loses_no_acknowledged_decision(start_herald):
    h = start_herald()
    admin = _admin_token(h)
    secret = client_secret("procurement-bot")
    issued: list[str] = []
    created: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def tokens():
        with requests.Session() as s:
            while not stop.is_set():
                try:
                    r = s.post(h.token_endpoint("acme"), data={"grant_type": "client_credentials"},
                               auth=("procurement-bot", secret), timeout=5)
                except requests.RequestException:
                    return
                if r.status_code == 200:
                    with lock:
                        issued.append(_jti(r.json()["access_token"]))

    def agents(worker: int):
        n = 0
        with requests.Session() as s:
            while not stop.is_set():
                agent = f"crash-{worker}-{n}"
                n += 1
                try:
                    r = s.post(f"{h.base}/admin/realms/acme/agents", json={"id": agent, "roles": ["mcps-l1"]},
                               headers={"Authorization": f"Bearer {admin}"}, timeout=5)
                except requests.RequestException:
                    return
                if r.status_code == 201:
                    with lock:
                        created.append(agent)

    threads = [threading.Thread(target=tokens) for _ in range(6)]
    threads += [threading.Thread(target=agents, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    os.kill(h.proc.pid, signal.SIGKILL)  # no graceful shutdown, mid-burst
    h.proc.wait(timeout=10)
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(issued) > 50, "the burst should have issued tokens before the kill"
    assert created, "the burst should have created agents before the kill"

    again = start_herald(data_dir=h.data_dir)
    token = _admin_token(again)
    recorded = {e["detail"]["jti"] for e in _audit(again, token, "token.issued")}
    missing = [j for j in issued if j not in recorded]
    assert not missing, f"{len(missing)} of {len(issued)} acknowledged tokens have no audit entry"
    changed = {e["detail"].get("agent") for e in _audit(again, token, "admin.agent.created")}
    assert set(created) <= changed
    listed = requests.get(f"{again.base}/admin/realms/acme/agents",
                          headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["agents"]
    assert set(created) <= {a["id"] for a in listed}

    jwks = f"{again.issuer('acme')}/.well-known/agent-trust-keys"
    result = subprocess.run([str(herald_binary()), "audit", "verify", "--data", str(again.data_dir),
                             "--realm", "acme", "--jwks", jwks], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "acme" in result.stdout
