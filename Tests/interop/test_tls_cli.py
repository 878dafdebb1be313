"""The herald admin CLI against a TLS server with a private CA and an mTLS admin listener.

The PKI and the https launcher are test_tls.py's (imported, not copied). Each test starts
``herald serve`` with TLS from the test CA; most add ``--admin-listen`` with
``--admin-client-ca`` so the admin API (and the master realm's token endpoint that
``herald login`` uses) demands a client certificate:

* ``herald login --cacert --client-cert --client-key`` to the admin listener, then
  ``herald client list`` without the options: the session remembers the paths, never the
  key; a flag on a later command still overrides the saved path;
* without --cacert the handshake fails with a message naming --cacert; without a client
  certificate (or with one from another CA) a message naming --client-cert; non-zero exits;
* HERALD_CACERT / HERALD_CLIENT_CERT / HERALD_CLIENT_KEY instead of the flags;
* an unreadable, non-PEM or mismatched file, and half a pair, are refused before anything
  is sent, naming the option.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import free_port, herald_binary
from test_tls import CA, pki, start_tls, write_pair  # noqa: F401  (fixtures used by name)

UNREACHABLE = 3  # CLIError.Kind.unreachable
USAGE = 1


@pytest.fixture
def cli(tmp_path):
    """Runs the herald CLI with its own session directory and none of the TLS variables."""
    home = tmp_path / "home"
    home.mkdir()
    base = {k: v for k, v in os.environ.items()
            if k not in ("HERALD_CACERT", "HERALD_CLIENT_CERT", "HERALD_CLIENT_KEY", "HERALD_SERVER")}
    base.update(XDG_CONFIG_HOME=str(home), HOME=str(home))

    def run(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(herald_binary()), *args], env=dict(base, **(env or {})), capture_output=True,
                              text=True, timeout=60, cwd=str(cwd or tmp_path))

    run.session_file = home / "herald" / "session.json"
    return run


@pytest.fixture
def mtls(start_tls, pki):
    """A TLS herald whose admin listener asks for a client certificate from the test CA."""
    admin_port = free_port()
    h = start_tls("--admin-listen", f"127.0.0.1:{admin_port}", "--admin-client-ca", pki["ca_pem"])
    h.admin = f"https://127.0.0.1:{admin_port}"
    h.credentials = str(h.data_dir / "admin-credentials")
    return h


def tls_args(pki, *, ca=True, client=True) -> list[str]:
    args = ["--cacert", pki["ca_pem"]] if ca else []
    if client:
        args += ["--client-cert", pki["client"][0], "--client-key", pki["client"][1]]
    return args


def test_login_with_the_files_then_commands_without_them(mtls, pki, cli, tmp_path):
    done = cli("login", "--server", mtls.admin, "--credentials", mtls.credentials, *tls_args(pki))
    assert done.returncode == 0, done.stderr
    session = json.loads(cli.session_file.read_text())
    assert session["ca_cert"] == pki["ca_pem"]
    assert (session["client_cert"], session["client_key"]) == pki["client"]
    text = cli.session_file.read_text()
    assert "PRIVATE KEY" not in text and "BEGIN CERTIFICATE" not in text  # paths, never contents

    # A later command, from another directory, with none of the options.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = cli("client", "list", "--output", "json", cwd=elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert "screening-bot" in listed.stdout, listed.stdout
    assert cli("realm", "list").returncode == 0

    # A flag on a later command replaces the saved path for that command only.
    rogue = cli("client", "list", "--cacert", pki["rogue_ca_pem"])
    assert rogue.returncode == UNREACHABLE, rogue.stderr
    assert "not signed by a CA in --cacert" in rogue.stderr, rogue.stderr
    assert cli("client", "list").returncode == 0


def test_relative_paths_are_saved_absolute(mtls, pki, cli):
    pki_dir = Path(pki["ca_pem"]).parent
    done = cli("login", "--server", mtls.admin, "--credentials", mtls.credentials,
               "--cacert", "ca.pem", "--client-cert", "client.crt", "--client-key", "client.key", cwd=pki_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads(cli.session_file.read_text())["ca_cert"] == pki["ca_pem"]
    assert cli("client", "list").returncode == 0


def test_without_cacert_the_error_names_cacert(mtls, pki, cli):
    done = cli("login", "--server", mtls.admin, "--credentials", mtls.credentials, *tls_args(pki, ca=False))
    assert done.returncode == UNREACHABLE, done.stderr
    assert "not signed by a CA you trust: pass --cacert" in done.stderr, done.stderr
    assert "(CERTIFICATE_VERIFY_FAILED)" in done.stderr, done.stderr
    assert not cli.session_file.exists()
    # http:// to a TLS port: the hint says to use https://.
    plain = cli("login", "--server", mtls.base.replace("https://", "http://"), "--credentials", mtls.credentials)
    assert plain.returncode == UNREACHABLE and "use https:// in --server" in plain.stderr, plain.stderr


def test_without_a_client_certificate_the_error_names_client_cert(mtls, pki, cli):
    done = cli("login", "--server", mtls.admin, "--credentials", mtls.credentials, *tls_args(pki, client=False))
    assert done.returncode == UNREACHABLE, done.stderr
    assert "requires a client certificate: pass --client-cert" in done.stderr, done.stderr
    assert not cli.session_file.exists()


def test_a_client_certificate_from_another_ca_is_refused(mtls, pki, cli):
    done = cli("login", "--server", mtls.admin, "--credentials", mtls.credentials, "--cacert", pki["ca_pem"],
               "--client-cert", pki["rogue_client"][0], "--client-key", pki["rogue_client"][1])
    assert done.returncode == UNREACHABLE, done.stderr
    assert "refused the client certificate" in done.stderr and "--admin-client-ca" in done.stderr, done.stderr


def test_the_environment_variables_instead_of_flags(mtls, pki, cli):
    env = {"HERALD_CACERT": pki["ca_pem"], "HERALD_CLIENT_CERT": pki["client"][0],
           "HERALD_CLIENT_KEY": pki["client"][1]}
    done = cli("login", "--server", mtls.admin, "--credentials", mtls.credentials, env=env)
    assert done.returncode == 0, done.stderr
    assert cli("client", "list").returncode == 0
    # The public listener has no mTLS: the CA alone is enough there (and no /admin, 404).
    done = cli("login", "--server", mtls.base, "--credentials", mtls.credentials, env={"HERALD_CACERT": pki["ca_pem"]})
    assert done.returncode == 0, done.stderr
    assert "client_cert" not in json.loads(cli.session_file.read_text())


def test_bad_files_are_refused_before_anything_is_sent(pki, cli, tmp_path):
    # No server at all: each refusal must come from reading the files, with exit 1.
    server = f"https://127.0.0.1:{free_port()}"
    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82\x01\x00not a certificate")
    other_key, other_cert = CA("Another").issue("x", server=False)
    other = write_pair(tmp_path, "other", other_key, other_cert)
    cases = {
        "cannot read --cacert": ["--cacert", str(tmp_path / "missing.pem")],
        "--cacert " + str(not_pem) + " is not a PEM file": ["--cacert", str(not_pem)],
        "--client-key " + pki["ca_pem"] + " is not an unencrypted PEM private key":
            ["--client-cert", pki["client"][0], "--client-key", pki["ca_pem"]],
        "does not belong to the certificate": ["--client-cert", pki["client"][0], "--client-key", str(other[1])],
        "--client-cert and --client-key go together": ["--client-cert", pki["client"][0]],
    }
    for expected, args in cases.items():
        done = cli("login", "--server", server, "--client-id", "x", "--client-secret-file", pki["ca_pem"], *args)
        assert done.returncode != 0 and expected in done.stderr, (args, done.returncode, done.stderr)
        assert done.returncode in (USAGE, 64), done.stderr  # 64: ArgumentParser's validation exit
        assert "MII" not in done.stderr and "PRIVATE KEY-----\n" not in done.stderr  # no file contents
