"""Fixtures for the interop suite: a real `herald serve` process on a free loopback port.

* ``start_herald`` (session): a factory ``start_herald(realms_dir=None, extra_args=[], ...)``
  that starts an instance, waits for ``GET /health/ready`` and returns a :class:`Herald`.
  Every instance it started is stopped at the end of the session; a test may stop one
  earlier (``h.stop()``) and start another on the same ``data_dir`` (a restart test).
* ``herald`` (session): the shared instance over the repository's ``realms/``.

The binary is ``$HERALD_BIN`` if set, else ``<repo>/.build/debug/herald``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from herald_helpers import REALMS_DIR, REPO, client_secret, demo_private_key_pem  # noqa: F401

READY_TIMEOUT = 60.0
STOP_GRACE = 10.0


def herald_binary() -> Path:
    env = os.environ.get("HERALD_BIN")
    return Path(env) if env else REPO / ".build" / "debug" / "herald"


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Herald:
    """One running herald process and the URLs a client derives from it."""

    def __init__(self, proc, port, data_dir, realms_dir, log_path, default_realm):
        self.proc: subprocess.Popen = proc
        self.port: int = port
        self.base: str = f"http://127.0.0.1:{port}"
        self.data_dir: Path = data_dir
        self.realms_dir: Path = realms_dir
        self.log_path: Path = log_path
        self.default_realm: str = default_realm

    # -- URLs --------------------------------------------------------------------------
    def issuer(self, realm: str) -> str:
        return f"{self.base}/realms/{realm}"

    def token_endpoint(self, realm: str) -> str:
        return f"{self.issuer(realm)}/protocol/openid-connect/token"

    def discovery_url(self, realm: str) -> str:
        return f"{self.issuer(realm)}/.well-known/openid-configuration"

    def as_metadata_url(self, realm: str) -> str:
        return f"{self.base}/.well-known/oauth-authorization-server/realms/{realm}"

    def discovery(self, realm: str) -> dict:
        r = requests.get(self.discovery_url(realm), timeout=10)
        r.raise_for_status()
        return r.json()

    # -- process -----------------------------------------------------------------------
    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as e:
            return f"<no log: {e}>"
        return "\n".join(text.splitlines()[-lines:])

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 s. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_GRACE)
        return self.proc.returncode

    def __repr__(self) -> str:
        return f"Herald({self.base}, data={self.data_dir})"


@pytest.fixture(scope="session")
def start_herald(tmp_path_factory):
    """Factory: ``start_herald(realms_dir=None, extra_args=[], data_dir=None,
    default_realm="acme", port=None, env=None) -> Herald``.

    ``data_dir=None`` means a fresh temporary directory; pass an earlier instance's
    ``data_dir`` to start on the same store (after stopping that instance).
    """
    started: list[Herald] = []
    binary = herald_binary()

    def _start(realms_dir=None, extra_args=(), data_dir=None, default_realm="acme",
               port=None, env=None) -> Herald:
        if not binary.exists():
            pytest.fail(f"herald binary not found at {binary} (set HERALD_BIN or build it)")
        run_dir = tmp_path_factory.mktemp("herald")
        if data_dir is None:
            data_dir = run_dir / "data"
            data_dir.mkdir()
        data_dir = Path(data_dir)
        realms_dir = Path(realms_dir) if realms_dir is not None else REALMS_DIR
        port = port or free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = run_dir / "herald.log"
        cmd = [
            str(binary), "serve",
            "--realms", str(realms_dir),
            "--data", str(data_dir),
            "--listen", f"127.0.0.1:{port}",
            "--public-url", base,
            "--default-realm", default_realm,
            "--log-format", "text",
            *extra_args,
        ]
        proc_env = dict(os.environ)
        if env:
            proc_env.update(env)
        log = open(log_path, "wb")
        log.write(("$ " + " ".join(cmd) + "\n").encode())
        log.flush()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=str(run_dir), env=proc_env)
        log.close()
        h = Herald(proc, port, data_dir, realms_dir, log_path, default_realm)
        started.append(h)

        deadline = time.monotonic() + READY_TIMEOUT
        last = "no answer"
        while True:
            if proc.poll() is not None:
                pytest.fail(f"herald exited with {proc.returncode} before it was ready\n"
                            f"--- {log_path} (tail) ---\n{h.log_tail()}")
            try:
                r = requests.get(f"{base}/health/ready", timeout=2)
                if r.status_code == 200:
                    return h
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as e:
                last = repr(e)
            if time.monotonic() > deadline:
                h.stop()
                pytest.fail(f"herald not ready after {READY_TIMEOUT:.0f}s (last: {last})\n"
                            f"--- {log_path} (tail) ---\n{h.log_tail()}")
            time.sleep(0.1)

    yield _start

    for h in reversed(started):
        h.stop()


@pytest.fixture(scope="session")
def herald(start_herald) -> Herald:
    """The shared instance: the repository's realms, default realm acme."""
    return start_herald()


# The attack corpus's own instance (test_attacks_*.py), a session fixture of its own module.
from attack_world import attack_world  # noqa: E402, F401
