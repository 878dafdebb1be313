#!/usr/bin/env python3
"""scripts/soak.py: `make soak`. Crash consistency and a soak of one real `herald serve`.

Part 1, crash (CRASH_ROUNDS rounds, default 5, all on ONE data directory):
  start herald on the store (fresh the first time; after that the store the previous
  round killed mid-write), run a token load (TOKEN_THREADS threads over several clients
  and both client-auth kinds) and an admin load (two threads: agents created, killed,
  revived and removed, level edits; role mappings added and removed, clients created and
  removed) at the same time, `kill -9` the server after a random 2-6 s, then
    - `herald audit verify` on the killed store (realms acme and master, offline);
    - restart herald on that store, page GET /admin/realms/acme/audit and check that
      every token answered 200 has its `token.issued` entry (by jti), and every admin
      change answered 2xx has its entry, in the order it was acknowledged.
  After the last round the server is stopped with SIGTERM (which seals the chains with a
  signed checkpoint) and the store is verified once more.

Part 2, soak (SOAK_SECONDS, default 600, a fresh data directory): SOAK_THREADS threads of
mixed load (tokens with client_secret_basic/post and private_key_jwt, introspection,
revocation, JWKS, discovery, status lists, the MCP gate, admin reads) plus one thread of
occasional admin writes, against one herald. VmRSS is sampled every RSS_INTERVAL seconds
(default 10) from /proc/<pid>/status. Reported: the least-squares slope (KiB/min) with its
standard error, the residual noise, the last third against the middle third, throughput,
latency and status counts per operation.

Writes bench/results/soak-<UTC stamp>.md (human-readable) and .json (machine-readable);
RESULTS_DIR overrides the directory.

Exit status 0: every check passed. 1: an acknowledged token or admin change is missing from
the audit log, `herald audit verify` failed, herald answered 5xx (or an unexpected status),
did not start, or died, or RSS grew beyond RSS_GROWTH_LIMIT_KIB (default 16384) from the
middle third to the last third of the soak. 2: bad usage.

Environment (all optional): HERALD_BIN (default .build/release/herald), CRASH_ROUNDS=5,
SOAK_SECONDS=600, RSS_INTERVAL=10, TOKEN_THREADS=8, SOAK_THREADS=6, SOAK_SEED (random
seed for the kill times; default: from the clock), PARTS="crash soak", KEEP_WORK=0 (1 =
keep the work directory in /tmp; it is always kept when the run fails),
RESULTS_DIR=bench/results, RSS_GROWTH_LIMIT_KIB=16384.

Only 127.0.0.1 is contacted. Every loop is bounded in time; herald processes are stopped
by their pid at the end, on failure and on Ctrl-C.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "interop"))

import requests  # noqa: E402

# The interop suite's process wrapper and helpers, and the crash test's audit helpers.
from conftest import Herald, free_port  # noqa: E402
from herald_helpers import REALMS_DIR, assertion_form, client_secret, signed_assertion  # noqa: E402
from test_audit_crash import _admin_token, _audit, _jti  # noqa: E402

REALM = "acme"
READY_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0

# Token clients of the demo realm: (client_id, how it authenticates).
TOKEN_CLIENTS = [
    ("procurement-bot", "basic"), ("screening-bot", "basic"), ("treasury-bot", "basic"),
    ("payments-bot", "post"), ("observer-bot", "post"), ("ledger-agent", "assertion"),
    ("procurement-bot", "basic"), ("payments-bot", "post"),
]


def log(msg: str) -> None:
    print(f"[soak] {msg}", file=sys.stderr, flush=True)


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(usage(f"{name} must be a whole number (got {raw!r})"))
    if value < minimum:
        raise SystemExit(usage(f"{name} must be at least {minimum} (got {value})"))
    return value


def usage(message: str) -> int:
    log(f"usage error: {message}")
    return 2


# ------------------------------------------------------------------------------ processes

class Servers:
    """Every herald this script started, so that each is stopped by its pid on any exit."""

    def __init__(self, binary: Path, work: Path):
        self.binary = binary
        self.work = work
        self.started: list[Herald] = []
        self.count = 0

    def start(self, data_dir: Path, port: int) -> tuple[Herald, float]:
        """Start herald on data_dir and wait for /health/ready; returns it and the seconds it took."""
        self.count += 1
        log_path = self.work / f"herald-{self.count}.log"
        base = f"http://127.0.0.1:{port}"
        cmd = [str(self.binary), "serve", "--realms", str(REALMS_DIR), "--data", str(data_dir),
               "--listen", f"127.0.0.1:{port}", "--public-url", base, "--default-realm", REALM,
               "--log-format", "text", "--log-level", "notice"]
        # flags only: no HERALD_* fallbacks from the caller's shell (a master key file, ...)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
        with open(log_path, "wb") as out:
            out.write(("$ " + " ".join(cmd) + "\n").encode())
            out.flush()
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=str(self.work), env=env)
        h = Herald(proc, port, data_dir, REALMS_DIR, log_path, REALM)
        self.started.append(h)
        t0 = time.monotonic()
        last = "no answer"
        while time.monotonic() - t0 < READY_TIMEOUT:
            if proc.poll() is not None:
                raise Failure(f"herald exited with status {proc.returncode} during start-up on {data_dir}\n"
                              f"{h.log_tail(30)}")
            try:
                r = requests.get(f"{base}/health/ready", timeout=2)
                if r.status_code == 200:
                    return h, time.monotonic() - t0
                last = f"HTTP {r.status_code}"
            except requests.RequestException as e:
                last = type(e).__name__
            time.sleep(0.05)
        raise Failure(f"herald not ready after {READY_TIMEOUT:.0f} s (last: {last})\n{h.log_tail(30)}")

    def stop_all(self) -> None:
        for h in self.started:
            if h.proc.poll() is None:
                log(f"stopping herald pid {h.proc.pid}")
                h.stop()


class Failure(Exception):
    """The run cannot go on (herald did not start, died, ...)."""


# ------------------------------------------------------------------------------ small tools

def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def auth_header(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def vm_status(pid: int) -> dict:
    """VmRSS, VmHWM, RssAnon, RssFile, RssShmem (KiB) and Threads of a process, from
    /proc/<pid>/status. RssAnon is the heap (SQLite's page caches included); RssFile and RssShmem
    are mapped files (the SQLite WAL index, the binary's pages)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(value.split()[0])
            elif key == "Threads":
                out[key] = int(value)
    except OSError:
        pass
    return out


def machine_snapshot() -> dict:
    """Load average and the busiest processes now: the machine is shared, so this says how noisy
    the throughput figures are."""
    snap = {"loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3])}
    try:
        top = subprocess.run(["top", "-b", "-n", "2", "-d", "1", "-w", "200"], capture_output=True,
                             text=True, timeout=10).stdout
        last = top.split("\ntop -")[-1].splitlines()
        idle = next((ln for ln in last if ln.startswith("%Cpu")), "")
        parts = idle.replace(",", " ").split()
        if "id" in parts:
            snap["cpu_busy_percent"] = round(100 - float(parts[parts.index("id") - 1]))
        procs = [ln.split() for ln in last if ln.strip()[:1].isdigit()]
        snap["busiest"] = [f"{p[11]} {p[8]}%" for p in procs[:4] if len(p) > 11 and float(p[8]) > 0]
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        pass
    return snap


def token_request(session: requests.Session, h: Herald, client: str, kind: str, secret: str | None):
    """One client_credentials request as `client` authenticates."""
    url = h.token_endpoint(REALM)
    if kind == "basic":
        return session.post(url, data={"grant_type": "client_credentials"}, auth=(client, secret),
                            timeout=REQUEST_TIMEOUT)
    if kind == "post":
        return session.post(url, data={"grant_type": "client_credentials", "client_id": client,
                                       "client_secret": secret}, timeout=REQUEST_TIMEOUT)
    return session.post(url, data=assertion_form(client, signed_assertion(client, url)), timeout=REQUEST_TIMEOUT)


def answer_excerpt(r: requests.Response, limit: int = 160) -> str:
    """The start of an answer for the record, with any client secret replaced."""
    if not r.content:
        return ""
    try:
        body = r.json()
    except ValueError:
        return r.text[:limit]
    if isinstance(body, dict) and "client_secret" in body:
        body["client_secret"] = "(not recorded)"
    return json.dumps(body, sort_keys=True, separators=(",", ":"))[:limit]


def herald_cli(binary: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_")}
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=300, env=env)


def audit_verify(binary: Path, data_dir: Path, realm: str, jwks_files: list[Path]) -> dict:
    """`herald audit verify --output json` on the store; the parsed report plus its exit status."""
    args = ["audit", "verify", "--data", str(data_dir), "--realm", realm, "--output", "json"]
    for f in jwks_files:
        args += ["--jwks", str(f)]
    t0 = time.monotonic()
    r = herald_cli(binary, *args)
    out = {"realm": realm, "exit": r.returncode, "seconds": round(time.monotonic() - t0, 2)}
    try:
        out.update(json.loads(r.stdout))
    except json.JSONDecodeError:
        out["output"] = (r.stdout + r.stderr).strip()[-500:]
    out["passed"] = r.returncode == 0 and out.get("valid") is True
    return out


def save_jwks(h: Herald, realm: str, directory: Path) -> Path:
    """Save the realm's JWKS under a name that changes when its content does (the archive the
    audit docs ask for: a checkpoint verifies only with the key that signed it)."""
    r = requests.get(f"{h.issuer(realm)}/.well-known/agent-trust-keys", timeout=REQUEST_TIMEOUT)
    r.raise_for_status()
    kids = "-".join(sorted(k["kid"][:8] for k in r.json()["keys"]))
    path = directory / f"{realm}-{kids}.json"
    path.write_text(r.text)
    return path


# ------------------------------------------------------------------------------ part 1: crash

@dataclass
class AdminOp:
    """One admin change that was answered 2xx, and the audit entry it must have."""
    worker: str
    op: str
    status: int
    sent: str
    acked: str
    entry_type: str
    agent: str | None = None
    detail: dict = field(default_factory=dict)
    response: str = ""      # the answer's start, secrets removed

    def matches(self, entry: dict) -> bool:
        if entry["type"] != self.entry_type:
            return False
        if self.agent is not None and entry.get("agent") != self.agent:
            return False
        return all(entry["detail"].get(k) == v for k, v in self.detail.items())

    def describe(self) -> str:
        what = ", ".join(f"{k}={v}" for k, v in self.detail.items())
        return f"{self.op} -> {self.status} at {self.acked}: {self.entry_type}" + \
            (f" agent={self.agent}" if self.agent else "") + (f" ({what})" if what else "")


# Which audit types each admin worker produces: disjoint, so each worker's entries can be
# checked as one ordered sequence (a worker sends its next change only after the last was
# answered, so its acknowledged changes must appear in the chain in that order).
WORKER_TYPES = {
    "lifecycle": {"admin.agent.created", "agent.killed", "admin.levels.changed", "agent.revived",
                  "admin.agent.removed"},
    "config": {"admin.mapping.added", "admin.client.created", "admin.mapping.removed",
               "admin.client.removed"},
}


class LoadThreads:
    """Worker threads against one herald that run until the deadline or until stopped."""

    def __init__(self, h: Herald, deadline: float):
        self.h = h
        self.deadline = deadline
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=REQUEST_TIMEOUT + 5)

    def _running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline


class CrashLoad(LoadThreads):
    """The token and admin load of one crash round. Every thread ends when its server is gone
    (a connection error) or at the deadline."""

    def __init__(self, h: Herald, round_no: int, admin_token: str, token_threads: int, deadline: float):
        super().__init__(h, deadline)
        self.round = round_no
        self.admin = admin_token
        self.tokens: list[str] = []                 # jti of every 200 from the token endpoint
        self.tokens_by_client: collections.Counter = collections.Counter()
        self.admin_ops: dict[str, list[AdminOp]] = {w: [] for w in WORKER_TYPES}
        self.statuses: collections.Counter = collections.Counter()  # "token 200", "admin 409", ...
        self.server_errors: list[str] = []
        self.refused: list[str] = []                # admin changes answered non-2xx (not a retried conflict)
        self.connection_errors = 0
        self.threads = [threading.Thread(target=self._tokens, args=(TOKEN_CLIENTS[i % len(TOKEN_CLIENTS)],),
                                         daemon=True) for i in range(token_threads)]
        self.threads += [threading.Thread(target=self._lifecycle, daemon=True),
                         threading.Thread(target=self._config, daemon=True)]

    def _note(self, kind: str, r: requests.Response):
        with self.lock:
            self.statuses[f"{kind} {r.status_code}"] += 1
            if r.status_code >= 500:
                self.server_errors.append(f"{r.request.method} {r.request.path_url} -> {r.status_code} {r.text[:200]}")

    def _tokens(self, client_kind):
        client, kind = client_kind
        secret = None if kind == "assertion" else client_secret(client)
        with requests.Session() as s:
            while self._running():
                try:
                    r = token_request(s, self.h, client, kind, secret)
                except requests.RequestException:
                    with self.lock:
                        self.connection_errors += 1
                    return  # the server is gone
                self._note("token", r)
                if r.status_code == 200:
                    jti = _jti(r.json()["access_token"])
                    with self.lock:
                        self.tokens.append(jti)
                        self.tokens_by_client[client] += 1

    def _admin(self, s: requests.Session, worker: str, op: str, method: str, path: str, body=None,
               retries: int = 20) -> requests.Response | None:
        """One admin change; a 409 `conflict` (the realm changed while it was prepared: the other
        admin worker was first) is retried. None when the server is gone."""
        url = f"{self.h.base}/admin/realms/{REALM}{path}"
        for _ in range(retries):
            try:
                r = s.request(method, url, json=body, headers=auth_header(self.admin), timeout=REQUEST_TIMEOUT)
            except requests.RequestException:
                with self.lock:
                    self.connection_errors += 1
                return None
            self._note(f"admin {op}", r)
            if r.status_code == 409 and r.json().get("error") == "conflict" and "changed while" in r.text:
                with self.lock:
                    self.statuses[f"admin {op} 409 retried"] += 1
                    self.statuses[f"admin {op} 409"] -= 1
                continue
            if not 200 <= r.status_code < 300:
                with self.lock:
                    self.refused.append(f"{op}: {method} {path} -> {r.status_code} {r.text[:200]}")
            return r
        with self.lock:
            self.refused.append(f"{op}: {method} {path}: still 409 conflict after {retries} tries")
        return r

    def _acked(self, worker: str, op: str, r: requests.Response, sent: str, entry_type: str,
               agent: str | None, detail: dict) -> bool:
        if not 200 <= r.status_code < 300:
            return False
        with self.lock:
            self.admin_ops[worker].append(AdminOp(worker, op, r.status_code, sent, now_iso(), entry_type,
                                                  agent, {k: str(v) for k, v in detail.items()},
                                                  answer_excerpt(r)))
        return True

    def _lifecycle(self):
        """Agents: create, kill, (a level edit), revive, remove; each acknowledged step is recorded."""
        w, n = "lifecycle", 0
        with requests.Session() as s:
            while self._running():
                n += 1
                agent = f"soak-r{self.round}-a{n}"
                sent = now_iso()
                r = self._admin(s, w, "create agent", "POST", "/agents", {"id": agent, "roles": ["mcps-l1"]})
                if r is None:
                    return
                if not self._acked(w, "create agent", r, sent, "admin.agent.created", None, {"agent": agent}):
                    continue
                reason = f"soak kill r{self.round} n{n}"
                steps = [
                    ("kill agent", "POST", f"/agents/{agent}/kill", {"reason": reason}, "agent.killed",
                     agent, {"reason": reason}),
                    ("edit levels", "PUT", "/levels", {"L1": {"label": f"Soak r{self.round} n{n}"}},
                     "admin.levels.changed", None, {"levels": "L1"}),
                    ("revive agent", "POST", f"/agents/{agent}/revive", None, "agent.revived", agent, {}),
                    ("remove agent", "DELETE", f"/agents/{agent}", None, "admin.agent.removed", None,
                     {"agent": agent}),
                ]
                for op, method, path, body, entry_type, entry_agent, detail in steps:
                    sent = now_iso()
                    r = self._admin(s, w, op, method, path, body)
                    if r is None:
                        return
                    if not self._acked(w, op, r, sent, entry_type, entry_agent, detail):
                        break

    def _config(self):
        """Role mappings added and removed, clients created and (every other one) removed."""
        w, n = "config", 0
        with requests.Session() as s:
            while self._running():
                n += 1
                group, client = f"soak-r{self.round}-g{n}", f"soak-r{self.round}-c{n}"
                sent = now_iso()
                r = self._admin(s, w, "add mapping", "POST", "/role-mappings", {"group": group, "role": "mcps-l1"})
                if r is None:
                    return
                mapping = r.json().get("id") if r.status_code == 201 else None
                self._acked(w, "add mapping", r, sent, "admin.mapping.added", None, {"id": mapping, "group": group})
                sent = now_iso()
                r = self._admin(s, w, "create client", "POST", "/clients",
                                {"client_id": client, "subject": "agent-observer", "auth": "client_secret_basic"})
                if r is None:
                    return
                self._acked(w, "create client", r, sent, "admin.client.created", None, {"client_id": client})
                if mapping:
                    sent = now_iso()
                    r = self._admin(s, w, "remove mapping", "DELETE", f"/role-mappings/{mapping}")
                    if r is None:
                        return
                    self._acked(w, "remove mapping", r, sent, "admin.mapping.removed", None, {"id": mapping})
                if n % 2 == 0:
                    sent = now_iso()
                    r = self._admin(s, w, "remove client", "DELETE", f"/clients/{client}")
                    if r is None:
                        return
                    self._acked(w, "remove client", r, sent, "admin.client.removed", None, {"client_id": client})


def match_in_order(acked: list[AdminOp], logged: list[dict]) -> tuple[list[AdminOp], int]:
    """Acknowledged changes not found, in order, in the logged entries of the same worker; and the
    number of logged entries no acknowledged change accounts for (a change in flight at the kill
    may be stored without its answer reaching the client)."""
    missing, i = [], 0
    used = 0
    for op in acked:
        j = i
        while j < len(logged) and not op.matches(logged[j]):
            j += 1
        if j == len(logged):
            missing.append(op)
        else:
            used += 1
            i = j + 1
    return missing, len(logged) - used


def checker_detects_a_loss(load: CrashLoad, window: list[dict]) -> bool:
    """Control of the check itself: with the entry of the first acknowledged token, and of each
    worker's first acknowledged change, taken out of the log, exactly those are reported missing."""
    if load.tokens:
        lost = load.tokens[0]
        issued = {e["detail"].get("jti") for e in window if e["type"] == "token.issued"} - {lost}
        if [j for j in load.tokens if j not in issued] != [lost]:
            return False
    for worker, types in WORKER_TYPES.items():
        acked = load.admin_ops[worker]
        logged = [e for e in window if e["type"] in types]
        if not acked:
            continue
        first = next((i for i, e in enumerate(logged) if acked[0].matches(e)), None)
        if first is None:
            return False
        missing, _ = match_in_order(acked, logged[:first] + logged[first + 1:])
        if missing != [acked[0]]:
            return False
    return True


def check_round(h: Herald, load: CrashLoad, after_seq: int) -> dict:
    """Page the realm's audit log on the restarted server; every acknowledged token and change
    of the round must be there."""
    token = _admin_token(h)
    t0 = time.monotonic()
    entries = _audit(h, token, "*")
    page_seconds = time.monotonic() - t0
    window = [e for e in entries if e["seq"] > after_seq]
    issued = {e["detail"].get("jti") for e in entries if e["type"] == "token.issued"}
    missing_tokens = [j for j in load.tokens if j not in issued]
    round_issued = sum(1 for e in window if e["type"] == "token.issued")
    result = {"audit_entries_total": len(entries), "audit_entries_round": len(window),
              "token_issued_entries_round": round_issued,
              "tokens_missing": len(missing_tokens), "tokens_missing_jti": missing_tokens[:20],
              "audit_page_seconds": round(page_seconds, 2), "admin": {}}
    admin_missing = 0
    for worker, types in WORKER_TYPES.items():
        logged = [e for e in window if e["type"] in types]
        missing, unaccounted = match_in_order(load.admin_ops[worker], logged)
        admin_missing += len(missing)
        result["admin"][worker] = {"acked": len(load.admin_ops[worker]), "logged": len(logged),
                                   "missing": [m.describe() for m in missing],
                                   "logged_not_acked": unaccounted}
    result["admin_missing"] = admin_missing
    result["checker_control"] = checker_detects_a_loss(load, window)
    # The state must hold the acknowledged changes too: agents created and not removed, clients
    # created and not removed.
    r = requests.get(f"{h.base}/admin/realms/{REALM}/clients", headers=auth_header(token), timeout=REQUEST_TIMEOUT)
    clients = {c["client_id"] for c in r.json()["clients"]}
    created = [op.detail["client_id"] for op in load.admin_ops["config"] if op.entry_type == "admin.client.created"]
    removed = {op.detail["client_id"] for op in load.admin_ops["config"] if op.entry_type == "admin.client.removed"}
    result["clients_missing_from_state"] = sorted(set(created) - removed - clients)
    result["max_seq"] = max((e["seq"] for e in entries), default=0)
    return result


def run_crash(binary: Path, work: Path, servers: Servers, rounds: int, token_threads: int,
              rng: random.Random) -> dict:
    data_dir = work / "crash-data"
    data_dir.mkdir()
    jwks_dir = work / "jwks"
    jwks_dir.mkdir(exist_ok=True)
    jwks: dict[str, set[Path]] = {"acme": set(), "master": set()}
    port = free_port()
    out = {"data_dir": str(data_dir), "port": port, "rounds": [], "token_threads": token_threads,
           "token_clients": sorted({f"{c} ({k})" for c, k in TOKEN_CLIENTS[:token_threads]})}
    h, ready = servers.start(data_dir, port)
    after_seq = max((e["seq"] for e in _audit(h, _admin_token(h), "*")), default=0)
    for n in range(1, rounds + 1):
        for realm in jwks:
            jwks[realm].add(save_jwks(h, realm, jwks_dir))
        kill_after = round(rng.uniform(2.0, 6.0), 2)
        row = {"round": n, "start_ready_seconds": round(ready, 2), "kill_after_seconds": kill_after,
               "started_on": "a fresh store" if n == 1 else f"the store killed in round {n - 1}"}
        load = CrashLoad(h, n, _admin_token(h), token_threads, time.monotonic() + kill_after + 30)
        log(f"crash round {n}/{rounds}: load for {kill_after} s, then kill -9 pid {h.proc.pid}")
        load.start()
        time.sleep(kill_after)
        if h.proc.poll() is not None:
            raise Failure(f"herald died during the load of round {n} (status {h.proc.returncode})\n{h.log_tail(30)}")
        rss = vm_status(h.proc.pid).get("VmRSS")
        os.kill(h.proc.pid, signal.SIGKILL)
        killed_at = now_iso()
        h.proc.wait(timeout=10)
        load.join()
        row.update({"killed_at": killed_at, "rss_at_kill_kib": rss, "tokens_acked": len(load.tokens),
                    "tokens_by_client": dict(load.tokens_by_client),
                    "admin_acked": sum(len(v) for v in load.admin_ops.values()),
                    "admin_acked_by_op": dict(collections.Counter(op.op for ops in load.admin_ops.values()
                                                                  for op in ops)),
                    "statuses": {k: v for k, v in load.statuses.items() if v}, "admin_refused": load.refused[:20],
                    "server_errors": load.server_errors[:20],
                    "connection_errors_at_kill": load.connection_errors,
                    "admin_changes": [op.__dict__ for ops in load.admin_ops.values() for op in ops]})
        # offline, on the store exactly as the kill left it
        row["verify"] = [audit_verify(binary, data_dir, realm, sorted(jwks[realm])) for realm in jwks]
        files = sorted(p.name for p in data_dir.iterdir())
        row["store_files_after_kill"] = files
        verdicts = ", ".join(f"{v['realm']} {'PASS' if v['passed'] else 'FAIL'}" for v in row["verify"])
        log(f"round {n}: {len(load.tokens)} tokens and {row['admin_acked']} admin changes acknowledged; "
            f"verify after the kill: {verdicts}")
        h, ready = servers.start(data_dir, port)   # a restart on a store killed mid-write
        row["restart_ready_seconds"] = round(ready, 2)
        row.update(check_round(h, load, after_seq))
        after_seq = row.pop("max_seq")
        row["passed"] = (row["tokens_missing"] == 0 and row["admin_missing"] == 0
                         and all(v["passed"] for v in row["verify"]) and not load.server_errors
                         and not row["clients_missing_from_state"] and len(load.tokens) > 0
                         and row["admin_acked"] > 0 and row["checker_control"])
        log(f"round {n}: {row['tokens_missing']} tokens and {row['admin_missing']} admin changes missing "
            f"from the audit log; restart ready in {ready:.2f} s")
        out["rounds"].append(row)
    # a graceful stop seals the chains with a signed checkpoint; verify once more
    for realm in jwks:
        jwks[realm].add(save_jwks(h, realm, jwks_dir))
    t0 = time.monotonic()
    status = h.stop()
    out["final_stop"] = {"signal": "SIGTERM", "exit": status, "seconds": round(time.monotonic() - t0, 2)}
    out["final_verify"] = [audit_verify(binary, data_dir, realm, sorted(jwks[realm])) for realm in jwks]
    out["jwks_files"] = sorted(p.name for s in jwks.values() for p in s)
    out["passed"] = (len(out["rounds"]) == rounds and all(r["passed"] for r in out["rounds"])
                     and status == 0 and all(v["passed"] and v.get("checkpoints_checked", 0) > 0
                                             for v in out["final_verify"]))
    return out


# ------------------------------------------------------------------------------ part 2: soak

class SoakLoad(LoadThreads):
    """Mixed load on one herald until the deadline; counts and latencies per operation."""

    # operation -> weight (the share of worker requests)
    MIX = {"token basic": 24, "token post": 8, "token private_key_jwt": 6, "introspect": 16, "revoke": 2,
           "jwks": 12, "discovery": 4, "status list": 3, "mcp gate agent_id": 12, "mcp gate token": 5,
           "admin read": 8}

    def __init__(self, h: Herald, threads: int, deadline: float, seed: int):
        super().__init__(h, deadline)
        self.counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.unexpected: list[str] = []
        self.recent: collections.deque = collections.deque(maxlen=200)   # (token, client) recently issued
        self.status_list: str | None = None
        self.admin_token = _admin_token(h)
        self.admin_token_at = time.monotonic()
        self.seed = seed
        self.secrets = {c: client_secret(c) for c in
                        ("procurement-bot", "screening-bot", "payments-bot", "observer-bot", "treasury-bot")}
        self.threads = [threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(threads)]
        self.threads.append(threading.Thread(target=self._admin_writer, daemon=True))

    def _admin_headers(self) -> dict:
        with self.lock:
            if time.monotonic() - self.admin_token_at > 120:   # master tokens live 300 s
                self.admin_token = _admin_token(self.h)
                self.admin_token_at = time.monotonic()
            return auth_header(self.admin_token)

    def _record(self, op: str, r: requests.Response | None, seconds: float, expected: tuple[int, ...] = (200,)):
        with self.lock:
            if r is None:
                self.counts[op]["connection error"] += 1
                return
            self.counts[op][str(r.status_code)] += 1
            self.latency[op].append(seconds)
            if r.status_code not in expected and len(self.unexpected) < 50:
                self.unexpected.append(f"{op}: {r.request.method} {r.request.path_url} -> {r.status_code} "
                                       f"{r.text[:200]}")

    def _call(self, s: requests.Session, op: str, method: str, url: str, expected=(200,), **kw):
        t0 = time.perf_counter()
        try:
            r = s.request(method, url, timeout=REQUEST_TIMEOUT, **kw)
        except requests.RequestException:
            self._record(op, None, 0)
            return None
        self._record(op, r, time.perf_counter() - t0, expected)
        return r

    def _worker(self, index: int):
        rng = random.Random(self.seed * 100 + index)
        ops, weights = zip(*self.MIX.items())
        h, iss = self.h, self.h.issuer(REALM)
        with requests.Session() as s:
            while self._running():
                op = rng.choices(ops, weights)[0]
                if op.startswith("token"):
                    client, kind = {"token basic": (rng.choice(["procurement-bot", "screening-bot", "treasury-bot"]),
                                                    "basic"),
                                    "token post": (rng.choice(["payments-bot", "observer-bot"]), "post"),
                                    "token private_key_jwt": ("ledger-agent", "assertion")}[op]
                    t0 = time.perf_counter()
                    try:
                        r = token_request(s, h, client, kind, self.secrets.get(client))
                    except requests.RequestException:
                        self._record(op, None, 0)
                        continue
                    self._record(op, r, time.perf_counter() - t0)
                    if r.status_code == 200:
                        body = r.json()
                        if "access_token" not in body:
                            self._record(op + " (200 without access_token)", r, 0, ())
                        else:
                            self.recent.append((body["access_token"], client))
                elif op == "introspect":
                    if not self.recent:
                        continue
                    token, _ = rng.choice(self.recent)
                    r = self._call(s, op, "POST", f"{iss}/protocol/openid-connect/token/introspect",
                                   data={"token": token}, auth=("screening-bot", self.secrets["screening-bot"]))
                    if r is not None and r.status_code == 200 and "active" not in r.json():
                        self._record("introspect (no active member)", r, 0, ())
                elif op == "revoke":
                    # revoke one of this worker's own fresh tokens, then introspection must say inactive
                    t = token_request(s, h, "treasury-bot", "basic", self.secrets["treasury-bot"])
                    self._record("token basic", t, 0)
                    if t.status_code != 200:
                        continue
                    token = t.json()["access_token"]
                    r = self._call(s, op, "POST", f"{iss}/protocol/openid-connect/revoke",
                                   data={"token": token}, auth=("treasury-bot", self.secrets["treasury-bot"]))
                    i = self._call(s, "introspect", "POST", f"{iss}/protocol/openid-connect/token/introspect",
                                   data={"token": token}, auth=("screening-bot", self.secrets["screening-bot"]))
                    if r is not None and r.status_code == 200 and i is not None and i.status_code == 200 \
                            and i.json().get("active") is not False:
                        self._record("revoked token still active", i, 0, ())
                elif op == "jwks":
                    self._call(s, op, "GET", f"{iss}/.well-known/agent-trust-keys")
                elif op == "discovery":
                    self._call(s, op, "GET", f"{iss}/.well-known/openid-configuration")
                elif op == "status list":
                    self._call(s, op, "GET", f"{iss}/statuslists/1")
                elif op == "mcp gate agent_id":
                    agent = rng.choice(["agent-procurement", "agent-payments", "agent-observer", "agent-treasury"])
                    tool = rng.choice([("database-mcp", "query"), ("payments-mcp", "charge"), ("files-mcp", "read")])
                    r = self._call(s, op, "POST", f"{iss}/mcp/verify",
                                   json={"agent_id": agent, "mcp_server_id": tool[0], "tool_name": tool[1]},
                                   auth=("procurement-bot", self.secrets["procurement-bot"]))
                    if r is not None and r.status_code == 200 and r.json().get("decision") not in ("ALLOW", "DENY"):
                        self._record("mcp gate (no decision)", r, 0, ())
                elif op == "mcp gate token":
                    if not self.recent:
                        continue
                    token, _ = rng.choice(self.recent)
                    self._call(s, op, "POST", f"{iss}/mcp/verify",
                               json={"token": token, "mcp_server_id": "database-mcp", "tool_name": "query"},
                               auth=("payments-bot", self.secrets["payments-bot"]))
                elif op == "admin read":
                    path = rng.choice(["/agents", "/levels", "/clients", "/role-mappings", "/keys",
                                       "/audit?limit=50&type=admin.*", "/agents/agent-procurement/lifecycle"])
                    self._call(s, op, "GET", f"{h.base}/admin/realms/{REALM}{path}", headers=self._admin_headers())

    def _admin_writer(self):
        """Occasional admin writes (about one every 2 s): every change is undone later, so the realm
        does not grow with the run's length."""
        n = 0
        base = f"{self.h.base}/admin/realms/{REALM}"
        with requests.Session() as s:
            while self._running():
                n += 1
                kind = n % 4
                if kind == 0:
                    self._call(s, "admin write", "PUT", f"{base}/levels", headers=self._admin_headers(),
                               json={"L1": {"label": f"Soak {n}"}})
                elif kind == 1:
                    r = self._call(s, "admin write", "POST", f"{base}/role-mappings", (201,),
                                   headers=self._admin_headers(), json={"group": f"soak-g{n}", "role": "mcps-l1"})
                    if r is not None and r.status_code == 201:
                        self._call(s, "admin write", "DELETE", f"{base}/role-mappings/{r.json()['id']}", (204,),
                                   headers=self._admin_headers())
                elif kind == 2:
                    agent = f"soak-a{n}"
                    r = self._call(s, "admin write", "POST", f"{base}/agents", (201,), headers=self._admin_headers(),
                                   json={"id": agent, "roles": ["mcps-l1"]})
                    if r is not None and r.status_code == 201:
                        self._call(s, "admin write", "POST", f"{base}/agents/{agent}/kill",
                                   headers=self._admin_headers(), json={"reason": f"soak {n}"})
                        self._call(s, "admin write", "POST", f"{base}/agents/{agent}/revive",
                                   headers=self._admin_headers())
                        self._call(s, "admin write", "DELETE", f"{base}/agents/{agent}", (204,),
                                   headers=self._admin_headers())
                else:
                    client = f"soak-c{n}"
                    r = self._call(s, "admin write", "POST", f"{base}/clients", (201,), headers=self._admin_headers(),
                                   json={"client_id": client, "subject": "agent-observer", "auth": "client_secret_basic"})
                    if r is not None and r.status_code == 201:
                        self._call(s, "admin write", "POST", f"{base}/clients/{client}/secret",
                                   headers=self._admin_headers())
                        self._call(s, "admin write", "DELETE", f"{base}/clients/{client}", (204,),
                                   headers=self._admin_headers())
                self.stop.wait(2.0)


def least_squares(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Slope, its standard error and the residual standard deviation of y = a + b x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    residuals = [y - (a + b * x) for x, y in zip(xs, ys)]
    s = math.sqrt(sum(r * r for r in residuals) / (n - 2)) if n > 2 else 0.0
    return b, (s / math.sqrt(sxx) if sxx else 0.0), s


def rss_analysis(samples: list[dict], growth_limit_kib: int) -> dict:
    xs = [s["t"] / 60 for s in samples]           # minutes
    ys = [s["rss_kib"] for s in samples]
    out = {"samples": len(samples), "first_kib": ys[0], "last_kib": ys[-1], "min_kib": min(ys), "max_kib": max(ys)}
    if len(samples) < 6:
        out["verdict"] = "too few samples for a slope"
        out["flat"] = None
        out["within_bound"] = True
        return out
    b, se, noise = least_squares(xs, ys)
    third = len(samples) // 3
    middle, last = ys[third:2 * third], ys[2 * third:]
    b2, se2, noise2 = least_squares(xs[third:], ys[third:])
    growth = statistics.mean(last) - statistics.mean(middle)
    duration = xs[-1] - xs[0]
    out.update({
        "slope_kib_per_min": round(b, 1), "slope_stderr_kib_per_min": round(se, 1),
        "residual_noise_kib": round(noise, 1),
        "slope_after_first_third_kib_per_min": round(b2, 1), "slope_after_first_third_stderr": round(se2, 1),
        "middle_third_mean_kib": round(statistics.mean(middle)), "last_third_mean_kib": round(statistics.mean(last)),
        "last_minus_middle_kib": round(growth), "middle_third_stdev_kib": round(statistics.pstdev(middle), 1),
        "growth_limit_kib": growth_limit_kib,
    })
    # Flat within noise: the growth the steady-state slope predicts over the run's last two thirds
    # is no larger than twice the sample noise (or 1 MiB), and the last third is no higher than the
    # middle third by more than that.
    tolerance = max(2 * noise2, 1024)
    predicted = b2 * duration * 2 / 3
    out["flat_tolerance_kib"] = round(tolerance)
    out["predicted_growth_last_two_thirds_kib"] = round(predicted)
    out["flat"] = predicted <= tolerance and growth <= tolerance
    out["within_bound"] = growth <= growth_limit_kib
    # Slope per third: a leak rises at a steady rate; caches and allocator arenas filling up rise
    # at a falling rate and level off.
    thirds = []
    for lo, hi in ((0, third), (third, 2 * third), (2 * third, len(samples))):
        tb, tse, _ = least_squares(xs[lo:hi], ys[lo:hi]) if hi - lo >= 3 else (0.0, 0.0, 0.0)
        thirds.append({"slope_kib_per_min": round(tb, 1), "stderr": round(tse, 1)})
    out["slope_by_third"] = thirds
    late, mid = thirds[2], thirds[1]
    levelling = late["slope_kib_per_min"] <= 2 * late["stderr"] or \
        late["slope_kib_per_min"] < mid["slope_kib_per_min"] / 2
    out["levelling_off"] = levelling
    if out["flat"]:
        out["verdict"] = "flat within noise"
    elif not out["within_bound"]:
        out["verdict"] = "GROWS beyond the bound"
    else:
        out["verdict"] = ("rises within the bound, levelling off (last third's slope within noise or under half "
                          "the middle third's)" if levelling else "rises steadily, within the bound")
    return out


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_soak(binary: Path, work: Path, servers: Servers, seconds: int, threads: int, interval: int,
             seed: int, growth_limit_kib: int) -> dict:
    data_dir = work / "soak-data"
    data_dir.mkdir()
    jwks_dir = work / "jwks"
    jwks_dir.mkdir(exist_ok=True)
    h, ready = servers.start(data_dir, free_port())
    jwks = {realm: {save_jwks(h, realm, jwks_dir)} for realm in ("acme", "master")}
    # warm up: one of each kind of request, then the idle figure
    with requests.Session() as s:
        for client, kind in TOKEN_CLIENTS[:6]:
            token_request(s, h, client, kind, None if kind == "assertion" else client_secret(client))
    time.sleep(1)
    idle = vm_status(h.proc.pid)
    load = SoakLoad(h, threads, time.monotonic() + seconds, seed)
    samples: list[dict] = []
    machine_start = machine_snapshot()
    log(f"soak: {seconds} s of mixed load ({threads} threads + 1 admin writer) on pid {h.proc.pid}, "
        f"RSS every {interval} s")
    t0 = time.monotonic()
    load.start()
    next_sample = t0
    while True:
        now = time.monotonic()
        if now >= next_sample:
            st = vm_status(h.proc.pid)
            if h.proc.poll() is not None or "VmRSS" not in st:
                load.join()
                raise Failure(f"herald died during the soak (status {h.proc.returncode})\n{h.log_tail(30)}")
            with load.lock:
                done = sum(sum(c.values()) for c in load.counts.values())
            samples.append({"t": round(now - t0, 1), "rss_kib": st["VmRSS"], "hwm_kib": st.get("VmHWM"),
                            "anon_kib": st.get("RssAnon"), "file_kib": st.get("RssFile"),
                            "shmem_kib": st.get("RssShmem"), "threads": st.get("Threads"), "requests": done})
            if len(samples) % 6 == 1:
                log(f"soak t={now - t0:5.0f}s RSS {st['VmRSS']} KiB, {done} requests")
            next_sample += interval
        if now - t0 >= seconds:
            break
        time.sleep(min(0.5, max(0.0, next_sample - time.monotonic()), max(0.0, t0 + seconds - time.monotonic())))
    elapsed = time.monotonic() - t0
    load.join()
    machine_end = machine_snapshot()
    after = vm_status(h.proc.pid)
    for realm in jwks:
        jwks[realm].add(save_jwks(h, realm, jwks_dir))
    t1 = time.monotonic()
    status = h.stop()
    stop = {"signal": "SIGTERM", "exit": status, "seconds": round(time.monotonic() - t1, 2)}
    verify = [audit_verify(binary, data_dir, realm, sorted(jwks[realm])) for realm in jwks]
    ops = {}
    total = 0
    server_errors = 0
    for op, counts in sorted(load.counts.items()):
        n = sum(counts.values())
        total += n
        server_errors += sum(v for k, v in counts.items() if k.isdigit() and int(k) >= 500)
        lat = load.latency.get(op, [])
        ops[op] = {"requests": n, "per_second": round(n / elapsed, 1), "statuses": dict(counts),
                   "p50_ms": round(percentile(lat, 0.5) * 1000, 2) if lat else None,
                   "p99_ms": round(percentile(lat, 0.99) * 1000, 2) if lat else None}
    connection_errors = sum(c.get("connection error", 0) for c in load.counts.values())
    rss = rss_analysis(samples, growth_limit_kib)
    out = {"seconds": round(elapsed, 1), "threads": threads, "rss_interval_seconds": interval,
           "start_ready_seconds": round(ready, 2), "idle": idle, "after_load": after,
           "requests": total, "requests_per_second": round(total / elapsed, 1), "operations": ops,
           "server_errors": server_errors, "connection_errors": connection_errors,
           "unexpected": load.unexpected, "rss": rss, "rss_samples": samples, "stop": stop, "verify": verify,
           "machine_start": machine_start, "machine_end": machine_end, "mix": SoakLoad.MIX}
    out["passed"] = (server_errors == 0 and connection_errors == 0 and not load.unexpected
                     and rss["within_bound"] and status == 0 and all(v["passed"] for v in verify)
                     and len(samples) >= 2)
    return out


# ------------------------------------------------------------------------------ report

def fmt(v) -> str:
    return "n/a" if v is None else str(v)


def render(report: dict) -> str:
    lines = [f"# Crash and soak: {report['stamp']}", "",
             f"`make soak` (scripts/soak.py), git `{report['git']}`, herald `{report['herald_bin']}` "
             f"({report['build']} build), {report['nproc']} cores ({report['cpu_model']}). "
             f"Seed {report['seed']}.", "",
             "The machine is shared with other work (Swift builds, test runs of other sessions), so the "
             "throughput figures below are noisy and only indicative; the audit checks and the RSS slope are "
             "what this run is for.", "",
             f"**Result: {'PASS' if report['passed'] else 'FAIL'}**" +
             ("" if report["passed"] else " - " + "; ".join(report["failures"])), ""]
    crash = report.get("crash")
    if crash:
        lines += ["## Crash: kill -9 under token and admin load", "",
                  f"One data directory for all rounds. Each round: {crash['token_threads']} token threads "
                  f"({', '.join(crash['token_clients'])}) and 2 admin threads (agents created, killed, "
                  "revived, removed, level edits; role mappings added and removed, clients created and removed) "
                  "at once; `kill -9` after a random 2-6 s; `herald audit verify` on the killed store (acme, "
                  "master); restart on that store; every acknowledged token (by `jti`) and admin change (in "
                  "acknowledged order) looked up in `GET /admin/realms/acme/audit`.", "",
                  "| round | started on | kill after | tokens acked | missing | admin changes acked | missing "
                  "| logged, not acked | verify after kill (acme / master entries) | restart ready |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in crash["rounds"]:
            v = {x["realm"]: x for x in r["verify"]}
            lines.append(
                f"| {r['round']} | {r['started_on']} | {r['kill_after_seconds']} s | {r['tokens_acked']} | "
                f"**{r['tokens_missing']}** | {r['admin_acked']} | **{r['admin_missing']}** | "
                f"{sum(w['logged_not_acked'] for w in r['admin'].values())} | "
                f"{'PASS' if v['acme']['passed'] else 'FAIL'} ({fmt(v['acme'].get('entries_checked'))}) / "
                f"{'PASS' if v['master']['passed'] else 'FAIL'} ({fmt(v['master'].get('entries_checked'))}) | "
                f"{r['restart_ready_seconds']} s |")
        tot_t = sum(r["tokens_acked"] for r in crash["rounds"])
        tot_a = sum(r["admin_acked"] for r in crash["rounds"])
        miss = sum(r["tokens_missing"] + r["admin_missing"] for r in crash["rounds"])
        lines += ["", f"Total: {tot_t} acknowledged tokens and {tot_a} acknowledged admin changes, "
                      f"**{miss} missing** from the audit log.", ""]
        ops = collections.Counter()
        for r in crash["rounds"]:
            ops.update(r["admin_acked_by_op"])
        lines.append("Admin changes acknowledged, by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items()))
                     + ".")
        errs = sum(len(r["server_errors"]) for r in crash["rounds"])
        refused = sum(len(r["admin_refused"]) for r in crash["rounds"])
        retried = sum(v for r in crash["rounds"] for k, v in r["statuses"].items() if k.endswith("409 retried"))
        controls = all(r["checker_control"] for r in crash["rounds"])
        lines += ["", f"5xx answers during the crash load: {errs}. Admin changes refused otherwise: {refused}; "
                  f"`409 conflict` answers retried (the two admin workers edit the same realm document): "
                  f"{retried}. \"Logged, not acked\" counts entries of a change that was in flight at the kill: "
                  "stored, but its answer never reached the client (allowed; the reverse is not). Control of the "
                  "checker, each round: with one acknowledged token's entry and each worker's first change "
                  "taken out of the fetched log, exactly those are reported missing: "
                  f"{'yes' if controls else 'NO'}.", ""]
        fs, fv = crash["final_stop"], crash["final_verify"]
        lines += [f"After round {len(crash['rounds'])}: the restarted server was stopped with SIGTERM (exit "
                  f"{fs['exit']} in {fs['seconds']} s), which seals each chain with a signed checkpoint; "
                  "`herald audit verify` then: " +
                  "; ".join(f"{v['realm']} {'PASS' if v['passed'] else 'FAIL'}, {fmt(v.get('entries_checked'))} "
                            f"entries, {fmt(v.get('checkpoints_checked'))} checkpoints" for v in fv) + ".", ""]
    soak = report.get("soak")
    if soak:
        rss = soak["rss"]
        lines += ["## Soak: mixed load, RSS every %d s" % soak["rss_interval_seconds"], "",
                  f"{soak['seconds']} s, {soak['threads']} load threads + 1 admin writer (a write about every "
                  f"2 s, each undone later), one herald on a fresh store. {soak['requests']} requests, "
                  f"{soak['requests_per_second']} req/s overall (Python clients on the same 2 cores). "
                  f"5xx: **{soak['server_errors']}**, connection errors: {soak['connection_errors']}, "
                  f"unexpected statuses: {len(soak['unexpected'])}.", "",
                  "| operation | requests | req/s | statuses | p50 ms | p99 ms |", "|---|---|---|---|---|---|"]
        for op, o in soak["operations"].items():
            st = ", ".join(f"{k}: {v}" for k, v in sorted(o["statuses"].items()))
            lines.append(f"| {op} | {o['requests']} | {o['per_second']} | {st} | {fmt(o['p50_ms'])} | "
                         f"{fmt(o['p99_ms'])} |")
        if soak["unexpected"]:
            lines += ["", "Unexpected answers (first ones):", ""] + [f"- `{u}`" for u in soak["unexpected"][:10]]
        lines += ["", "### RSS", "",
                  f"Idle before the load: {fmt(soak['idle'].get('VmRSS'))} KiB. "
                  f"Verdict: **{rss['verdict']}**.", ""]
        if "slope_kib_per_min" in rss:
            lines += ["| figure | value |", "|---|---|",
                      f"| least-squares slope, all samples | {rss['slope_kib_per_min']} ± "
                      f"{rss['slope_stderr_kib_per_min']} KiB/min |",
                      f"| slope after the first third (warm-up excluded) | {rss['slope_after_first_third_kib_per_min']} "
                      f"± {rss['slope_after_first_third_stderr']} KiB/min |",
                      f"| residual noise (stdev about the fit) | {rss['residual_noise_kib']} KiB |",
                      f"| middle third mean / last third mean | {rss['middle_third_mean_kib']} / "
                      f"{rss['last_third_mean_kib']} KiB |",
                      f"| last third − middle third | {rss['last_minus_middle_kib']} KiB (flat tolerance "
                      f"{rss['flat_tolerance_kib']} KiB = max(2 × noise, 1 MiB); failure bound "
                      f"{rss['growth_limit_kib']} KiB) |",
                      "| slope in the first / middle / last third | " +
                      " / ".join(f"{t['slope_kib_per_min']} ± {t['stderr']}" for t in rss["slope_by_third"]) +
                      " KiB/min |",
                      f"| growth the late slope predicts over the last two thirds | "
                      f"{rss['predicted_growth_last_two_thirds_kib']} KiB |",
                      f"| min / max / VmHWM at the end | {rss['min_kib']} / {rss['max_kib']} / "
                      f"{fmt(soak['after_load'].get('VmHWM'))} KiB |", ""]
        lines += ["Samples (seconds since the load started, VmRSS KiB, of which RssAnon KiB, threads, requests "
                  "done). RssFile (the binary and its libraries) stays near its start value; the heap is RssAnon:",
                  "", "```"]
        row = []
        for s in soak["rss_samples"]:
            row.append(f"{s['t']:>4.0f}s {s['rss_kib']:>6} a{fmt(s.get('anon_kib')):>6} {s['threads']:>2}t "
                       f"{s['requests']:>7}")
            if len(row) == 3:
                lines.append("   ".join(row))
                row = []
        if row:
            lines.append("   ".join(row))
        lines += ["```", ""]
        st, sv = soak["stop"], soak["verify"]
        lines += [f"End: SIGTERM, exit {st['exit']} in {st['seconds']} s; `herald audit verify`: " +
                  "; ".join(f"{v['realm']} {'PASS' if v['passed'] else 'FAIL'}, {fmt(v.get('entries_checked'))} "
                            f"entries, {fmt(v.get('checkpoints_checked'))} checkpoints ({v['seconds']} s)" for v in sv)
                  + ".", "",
                  f"Machine at the start: loadavg {soak['machine_start'].get('loadavg')}, CPU "
                  f"{fmt(soak['machine_start'].get('cpu_busy_percent'))}% busy "
                  f"({', '.join(soak['machine_start'].get('busiest', []))}); at the end: loadavg "
                  f"{soak['machine_end'].get('loadavg')}, CPU {fmt(soak['machine_end'].get('cpu_busy_percent'))}% "
                  f"busy ({', '.join(soak['machine_end'].get('busiest', []))}).", ""]
    return "\n".join(lines)


def main() -> int:
    parts = os.environ.get("PARTS", "crash soak").split()
    if not parts or set(parts) - {"crash", "soak"}:
        return usage(f"PARTS must name crash and/or soak (got {os.environ.get('PARTS')!r})")
    rounds = env_int("CRASH_ROUNDS", 5, 1)
    seconds = env_int("SOAK_SECONDS", 600, 10)
    interval = env_int("RSS_INTERVAL", 10, 1)
    token_threads = env_int("TOKEN_THREADS", 8, 1)
    soak_threads = env_int("SOAK_THREADS", 6, 1)
    growth_limit = env_int("RSS_GROWTH_LIMIT_KIB", 16384, 0)
    seed = env_int("SOAK_SEED", int(time.time()) % 1_000_000)
    keep = os.environ.get("KEEP_WORK") == "1"
    results = Path(os.environ.get("RESULTS_DIR") or REPO / "bench" / "results")
    binary = Path(os.environ.get("HERALD_BIN") or REPO / ".build" / "release" / "herald").absolute()
    if not os.access(binary, os.X_OK):
        return usage(f"no herald binary at {binary}: build it (swift build -c release --product herald) "
                     "or set HERALD_BIN")

    work = Path(tempfile.mkdtemp(prefix="herald-soak."))
    servers = Servers(binary, work)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip() or "none"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")
    report = {"stamp": stamp, "git": git + ("+dirty" if dirty else ""), "herald_bin": str(binary.relative_to(REPO))
              if binary.is_relative_to(REPO) else str(binary),
              "build": "release" if "/release/" in str(binary) else "debug" if "/debug/" in str(binary) else "?",
              "nproc": os.cpu_count(), "cpu_model": cpu, "seed": seed, "parts": parts, "failures": []}

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    log(f"work directory {work}; herald {binary}; seed {seed}")
    status = 1
    try:
        if "crash" in parts:
            report["crash"] = run_crash(binary, work, servers, rounds, token_threads, random.Random(seed))
            if not report["crash"]["passed"]:
                report["failures"].append("crash: an acknowledged entry is missing, a verify failed, a 5xx was "
                                          "answered or the final stop/verify failed (see the table)")
        if "soak" in parts:
            report["soak"] = run_soak(binary, work, servers, seconds, soak_threads, interval, seed, growth_limit)
            s = report["soak"]
            if not s["passed"]:
                report["failures"].append(f"soak: {s['server_errors']} 5xx, {s['connection_errors']} connection "
                                          f"errors, {len(s['unexpected'])} unexpected answers, RSS "
                                          f"{s['rss']['verdict']}, stop exit {s['stop']['exit']}, verify "
                                          f"{[v['passed'] for v in s['verify']]}")
        report["passed"] = not report["failures"]
        status = 0 if report["passed"] else 1
    except Failure as e:
        report["failures"].append(str(e).splitlines()[0])
        report["failure_log"] = str(e)
        report["passed"] = False
        log(f"FAILED: {e}")
    except KeyboardInterrupt:
        log("interrupted: stopping herald, no results written")
        servers.stop_all()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        return 130
    finally:
        servers.stop_all()
    results.mkdir(parents=True, exist_ok=True)
    md, js = results / f"soak-{stamp}.md", results / f"soak-{stamp}.json"
    md.write_text(render(report) if ("crash" in report or "soak" in report) else
                  f"# Crash and soak: {stamp}\n\n**FAIL**: {'; '.join(report['failures'])}\n")
    js.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(md.read_text())
    log(f"written: {md.relative_to(REPO) if md.is_relative_to(REPO) else md} and {js.name}")
    if keep or status != 0:
        log(f"work directory kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
