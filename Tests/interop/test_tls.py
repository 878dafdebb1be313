"""TLS on herald's listeners, seen by ordinary clients (requests, Python's ssl, PyJWT).

The test makes its own PKI with ``cryptography``: a CA, a server certificate for
127.0.0.1 signed by it, an admin client certificate, and a second CA nobody trusts.
Each test starts its own ``herald serve`` (the conftest factory polls plain HTTP, so
this file has a small launcher that polls over https with the test CA):

* discovery, a client_credentials token and the JWKS over https; the token verifies
  with PyJWT against the key fetched over https;
* a client that does not trust the CA fails the handshake; TLS 1.1 is refused;
* certificate reload: files replaced + SIGHUP, and files replaced without a signal,
  reach new connections (new serial) while an open keep-alive connection keeps
  working; a broken replacement keeps the last good certificate and the server up;
* --admin-listen / --metrics-listen: /admin and /metrics answer 404 on the public
  listener (also spelled //admin, /%61dmin, /Admin) and work on their own; the master
  realm answers on the admin listener too; health on all;
* admin mTLS (--admin-client-ca): no client certificate, or one from another CA, is
  refused at the handshake; the right one gets the admin API;
* startup refusals for an expired certificate, a key of another certificate, an
  unreadable file and half a pair, each naming what to fix; SIGTERM stops every listener.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import free_port, herald_binary
from herald_helpers import REALMS_DIR, client_secret

READY_TIMEOUT = 60.0
RELOAD_TIMEOUT = 8.0  # herald polls the files every 2 s


# -- a throwaway PKI ---------------------------------------------------------------------

def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class CA:
    def __init__(self, cn: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False,
                                                  data_encipherment=False, key_agreement=False,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))

    def issue(self, cn: str, *, server: bool, not_before=None, not_after=None):
        """(key, cert) for a server (SAN 127.0.0.1, localhost) or a TLS client."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(self.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(not_before or now - dt.timedelta(minutes=5))
                   .not_valid_after(not_after or now + dt.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        else:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def write_pair(directory: Path, stem: str, key, cert) -> tuple[Path, Path]:
    """Writes cert and key the way a renewal tool does: a temporary file renamed over."""
    cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
    for path, data in ((key_path, _pem_key(key)), (cert_path, cert.public_bytes(serialization.Encoding.PEM))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return cert_path, key_path


@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    ca, rogue = CA("Herald Test CA"), CA("Somebody Else's CA")
    (d / "ca.pem").write_bytes(ca.pem())
    (d / "rogue-ca.pem").write_bytes(rogue.pem())
    key, cert = ca.issue("127.0.0.1", server=True)
    server_cert, server_key = write_pair(d, "server", key, cert)
    ckey, ccert = ca.issue("herald-admin", server=False)
    client = write_pair(d, "client", ckey, ccert)
    rkey, rcert = rogue.issue("herald-admin", server=False)
    rogue_client = write_pair(d, "rogue-client", rkey, rcert)
    return {"dir": d, "ca": ca, "ca_pem": str(d / "ca.pem"), "rogue_ca_pem": str(d / "rogue-ca.pem"),
            "cert": server_cert, "key": server_key, "serial": cert.serial_number,
            "client": tuple(map(str, client)), "rogue_client": tuple(map(str, rogue_client))}


# -- a herald over https -----------------------------------------------------------------

class TLSHerald:
    def __init__(self, proc, port, data_dir, log_path):
        self.proc, self.port, self.data_dir, self.log_path = proc, port, data_dir, log_path
        self.base = f"https://127.0.0.1:{port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


def run_herald(tmp_path: Path, args: list[str], port: int):
    """Starts `herald serve ARGS` on 127.0.0.1:PORT; returns (process, log path)."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    log_path = tmp_path / "herald.log"
    cmd = [str(herald_binary()), "serve", "--realms", str(REALMS_DIR), "--data", str(data),
           "--listen", f"127.0.0.1:{port}", "--default-realm", "acme", "--log-format", "text", *args]
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(tmp_path))
    log.close()
    return proc, log_path, data


@pytest.fixture
def start_tls(tmp_path, pki):
    started: list[TLSHerald] = []

    def _start(*extra: str, tls: bool = True, public_url: bool = True) -> TLSHerald:
        port = free_port()
        args = ["--public-url", f"{'https' if tls else 'http'}://127.0.0.1:{port}"] if public_url else []
        if tls:
            args += ["--tls-cert", str(pki["cert"]), "--tls-key", str(pki["key"])]
        proc, log_path, data = run_herald(tmp_path, args + list(extra), port)
        h = TLSHerald(proc, port, data, log_path)
        started.append(h)
        base = h.base if tls else f"http://127.0.0.1:{port}"
        deadline, last = time.monotonic() + READY_TIMEOUT, "no answer"
        while True:
            if proc.poll() is not None:
                pytest.fail(f"herald exited with {proc.returncode}\n{h.log()[-3000:]}")
            try:
                if requests.get(f"{base}/health/live", verify=pki["ca_pem"], timeout=2).status_code == 200:
                    return h
            except requests.RequestException as e:
                last = repr(e)
            if time.monotonic() > deadline:
                pytest.fail(f"herald not answering over {base} ({last})\n{h.log()[-3000:]}")
            time.sleep(0.1)

    yield _start
    for h in reversed(started):
        h.stop()


def served_serial(port: int, ca_pem: str) -> int:
    """The serial of the certificate a NEW connection to 127.0.0.1:PORT is given."""
    context = ssl.create_default_context(cafile=ca_pem)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True)).serial_number


def wait_for_serial(port: int, ca_pem: str, serial: int) -> None:
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while (seen := served_serial(port, ca_pem)) != serial:
        assert time.monotonic() < deadline, f"still serving serial {seen:x}, not {serial:x}"
        time.sleep(0.2)


def admin_token(h: TLSHerald, ca_pem: str) -> str:
    credentials = json.loads((h.data_dir / "admin-credentials").read_text())
    reply = requests.post(f"{h.base}/realms/master/protocol/openid-connect/token", verify=ca_pem, timeout=10,
                          auth=(credentials["client_id"], credentials["client_secret"]),
                          data={"grant_type": "client_credentials"})
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


# -- the tests ---------------------------------------------------------------------------

def test_discovery_token_and_jwks_over_https(start_tls, pki):
    h = start_tls()
    discovery = requests.get(f"{h.base}/realms/acme/.well-known/openid-configuration", verify=pki["ca_pem"], timeout=10)
    assert discovery.status_code == 200, discovery.text
    doc = discovery.json()
    assert doc["issuer"] == f"{h.base}/realms/acme"
    assert doc["token_endpoint"].startswith("https://") and doc["jwks_uri"].startswith("https://")

    reply = requests.post(doc["token_endpoint"], verify=pki["ca_pem"], timeout=10,
                          auth=("screening-bot", client_secret("screening-bot")),
                          data={"grant_type": "client_credentials"})
    assert reply.status_code == 200, reply.text
    token = reply.json()["access_token"]

    jwks = requests.get(doc["jwks_uri"], verify=pki["ca_pem"], timeout=10).json()
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=[jwk["alg"]], audience=doc["issuer"],
                        issuer=doc["issuer"])
    assert claims["sub"] == "agent-screening"
    # Without separate listeners nothing moves: /metrics (and /admin) stay on the public one.
    assert requests.get(f"{h.base}/metrics", verify=pki["ca_pem"], timeout=10).status_code == 200
    assert requests.get(f"{h.base}/admin/realms", verify=pki["ca_pem"], timeout=10).status_code == 401
    assert f"{pki['serial']:X}" in h.log().upper()  # the serial in use is logged
    # The test certificates live a day: herald warns that renewal is due.
    assert "TLS certificate expires in 23 h" in h.log() or "TLS certificate expires in 24 h" in h.log(), h.log()[-2000:]


def test_a_client_that_does_not_trust_the_ca_fails_the_handshake(start_tls, pki):
    h = start_tls()
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{h.base}/health/live", verify=pki["rogue_ca_pem"], timeout=10)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{h.base}/health/live", timeout=10)  # the system trust store
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{h.port}/health/live", timeout=10)  # plain HTTP to a TLS port


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_1_1_is_refused_and_1_2_accepted(start_tls, pki):
    h = start_tls()

    def handshake(maximum: ssl.TLSVersion) -> str:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(pki["ca_pem"])
        # Let this client offer TLS 1.0/1.1 at all (OpenSSL 3 refuses them at level 1+).
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = maximum
        with socket.create_connection(("127.0.0.1", h.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.version()

    assert handshake(ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    with pytest.raises(ssl.SSLError) as refused:
        handshake(ssl.TLSVersion.TLSv1_1)
    # The server's refusal (its protocol_version alert), not this client failing to
    # build a TLS 1.1 hello (that would be NO_PROTOCOLS_AVAILABLE).
    assert "ALERT_PROTOCOL_VERSION" in str(refused.value).upper(), refused.value


def test_certificate_reload_on_sighup_and_on_file_change(start_tls, pki):
    h = start_tls()
    assert served_serial(h.port, pki["ca_pem"]) == pki["serial"]
    session = requests.Session()  # one keep-alive connection across the reloads
    assert session.get(f"{h.base}/health/live", verify=pki["ca_pem"], timeout=10).status_code == 200

    key, cert = pki["ca"].issue("127.0.0.1", server=True)
    write_pair(pki["dir"], "server", key, cert)
    h.proc.send_signal(signal.SIGHUP)
    wait_for_serial(h.port, pki["ca_pem"], cert.serial_number)
    assert session.get(f"{h.base}/health/live", verify=pki["ca_pem"], timeout=10).status_code == 200
    assert "TLS certificate reloaded" in h.log()

    # No signal this time: the files' change is enough.
    key, cert = pki["ca"].issue("127.0.0.1", server=True)
    write_pair(pki["dir"], "server", key, cert)
    wait_for_serial(h.port, pki["ca_pem"], cert.serial_number)
    good = cert.serial_number

    # A broken replacement: the last good certificate stays, the server stays up.
    pki["cert"].write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    h.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while "NOT reloaded" not in h.log():
        assert time.monotonic() < deadline, h.log()[-2000:]
        time.sleep(0.2)
    assert h.proc.poll() is None
    assert served_serial(h.port, pki["ca_pem"]) == good
    assert requests.get(f"{h.base}/health/ready", verify=pki["ca_pem"], timeout=10).status_code == 200
    # A key of another certificate is refused the same way.
    other_key, _ = pki["ca"].issue("127.0.0.1", server=True)
    _, cert = pki["ca"].issue("127.0.0.1", server=True)
    write_pair(pki["dir"], "server", other_key, cert)
    h.proc.send_signal(signal.SIGHUP)
    time.sleep(1.0)
    assert h.proc.poll() is None
    assert served_serial(h.port, pki["ca_pem"]) == good
    assert "does not match the certificate" in h.log()


def test_admin_and_metrics_on_their_own_listeners(start_tls, pki):
    admin_port, metrics_port = free_port(), free_port()
    h = start_tls("--admin-listen", f"127.0.0.1:{admin_port}", "--metrics-listen", f"127.0.0.1:{metrics_port}")
    ca = pki["ca_pem"]
    token = admin_token(h, ca)  # the master realm's token endpoint stays public
    bearer = {"Authorization": f"Bearer {token}"}

    for path in ("/admin/realms", "//admin/realms", "/%61dmin/realms", "/Admin/realms", "/metrics", "/admin"):
        reply = requests.get(f"{h.base}{path}", headers=bearer, verify=ca, timeout=10)
        assert reply.status_code == 404, (path, reply.status_code, reply.text[:200])
    admin = f"https://127.0.0.1:{admin_port}"  # the public certificate serves the admin listener too
    reply = requests.get(f"{admin}/admin/realms", headers=bearer, verify=ca, timeout=10)
    assert reply.status_code == 200, reply.text
    assert "acme" in reply.text
    metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
    assert metrics.status_code == 200 and "herald_" in metrics.text

    # The master realm answers on the admin listener too, so `herald login` needs only it.
    credentials = json.loads((h.data_dir / "admin-credentials").read_text())
    reply = requests.post(f"{admin}/realms/master/protocol/openid-connect/token", verify=ca, timeout=10,
                          auth=(credentials["client_id"], credentials["client_secret"]),
                          data={"grant_type": "client_credentials"})
    assert reply.status_code == 200, reply.text

    # Each listener answers only its own paths, and health everywhere.
    assert requests.get(f"{admin}/realms/acme/.well-known/openid-configuration", verify=ca, timeout=10).status_code == 404
    assert requests.get(f"{admin}/metrics", verify=ca, timeout=10).status_code == 404
    assert requests.get(f"http://127.0.0.1:{metrics_port}/admin/realms", headers=bearer, timeout=10).status_code == 404
    assert requests.get(f"http://127.0.0.1:{metrics_port}/realms/acme/.well-known/jwks.json",
                        timeout=10).status_code == 404
    for base, verify in ((h.base, ca), (admin, ca), (f"http://127.0.0.1:{metrics_port}", True)):
        for path in ("/health/live", "/health/ready"):
            assert requests.get(f"{base}{path}", verify=verify, timeout=10).status_code == 200, (base, path)
    assert requests.get(f"{h.base}/realms/acme/.well-known/openid-configuration", verify=ca,
                        timeout=10).status_code == 200

    # SIGTERM stops every listener, cleanly.
    assert h.stop() == 0
    for port in (h.port, admin_port, metrics_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_admin_mtls_requires_a_client_certificate_from_the_ca(start_tls, pki):
    admin_port = free_port()
    h = start_tls("--admin-listen", f"127.0.0.1:{admin_port}", "--admin-client-ca", pki["ca_pem"])
    ca = pki["ca_pem"]
    bearer = {"Authorization": f"Bearer {admin_token(h, ca)}"}
    admin = f"https://127.0.0.1:{admin_port}/admin/realms"
    for cert in (None, pki["rogue_client"]):
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            requests.get(admin, headers=bearer, verify=ca, cert=cert, timeout=10)
    reply = requests.get(admin, headers=bearer, verify=ca, cert=pki["client"], timeout=10)
    assert reply.status_code == 200, reply.text
    # The public listener asks for no client certificate.
    assert requests.get(f"{h.base}/health/live", verify=ca, timeout=10).status_code == 200
    # The certificate still gets no further than the admin API's own bearer check.
    assert requests.get(admin, verify=ca, cert=pki["client"], timeout=10).status_code == 401


@pytest.mark.parametrize("case", ["expired", "not_yet_valid", "mismatched", "unreadable", "half_pair",
                                  "client_ca_without_admin_listener"])
def test_startup_refusals_say_what_to_fix(tmp_path, pki, case):
    now = dt.datetime.now(dt.timezone.utc)
    cert, key = pki["cert"], pki["key"]
    if case == "expired":
        k, c = pki["ca"].issue("127.0.0.1", server=True, not_before=now - dt.timedelta(days=3),
                               not_after=now - dt.timedelta(days=1))
        cert, key = write_pair(pki["dir"], "expired", k, c)
        expected = "expired at"
    elif case == "not_yet_valid":
        k, c = pki["ca"].issue("127.0.0.1", server=True, not_before=now + dt.timedelta(days=1),
                               not_after=now + dt.timedelta(days=3))
        cert, key = write_pair(pki["dir"], "future", k, c)
        expected = "is not valid before"
    elif case == "mismatched":
        k, _ = pki["ca"].issue("127.0.0.1", server=True)
        _, key = write_pair(pki["dir"], "other", k, pki["ca"].cert)
        expected = "does not match the certificate"
    elif case == "unreadable":
        cert = pki["dir"] / "missing.crt"
        expected = f"cannot read the TLS certificate --tls-cert {cert}"
    port = free_port()
    args = ["--tls-cert", str(cert), "--tls-key", str(key)]
    if case == "half_pair":
        args, expected = ["--tls-cert", str(cert)], "--tls-cert needs --tls-key"
    if case == "client_ca_without_admin_listener":
        args += ["--admin-client-ca", pki["ca_pem"]]
        expected = "--admin-client-ca needs --admin-listen"
    proc, log_path, _ = run_herald(tmp_path, args, port)
    try:
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = log_path.read_text(errors="replace")
    assert code != 0, log
    assert expected in log, log[-2000:]


def test_tls_and_listeners_from_herald_yaml(tmp_path, pki):
    """herald.yaml's tls.* / admin.* / metrics.* keys reach the same settings as the flags."""
    port, admin_port, metrics_port = free_port(), free_port(), free_port()
    config = tmp_path / "herald.yaml"
    config.write_text(f"""\
server:
  public_url: https://127.0.0.1:{port}
tls:
  cert: {pki["cert"]}
  key: {pki["key"]}
admin:
  listen: 127.0.0.1:{admin_port}
  client_ca: {pki["ca_pem"]}
metrics:
  listen: 127.0.0.1:{metrics_port}
""")
    proc, log_path, _ = run_herald(tmp_path, ["--config", str(config)], port)
    h = TLSHerald(proc, port, tmp_path / "data", log_path)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            assert proc.poll() is None, h.log()[-3000:]
            try:
                if requests.get(f"{h.base}/health/ready", verify=pki["ca_pem"], timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, h.log()[-3000:]
            time.sleep(0.1)
        assert requests.get(f"{h.base}/metrics", verify=pki["ca_pem"], timeout=10).status_code == 404
        assert requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).status_code == 200
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            requests.get(f"https://127.0.0.1:{admin_port}/health/live", verify=pki["ca_pem"], timeout=10)
        assert requests.get(f"https://127.0.0.1:{admin_port}/health/live", verify=pki["ca_pem"],
                            cert=pki["client"], timeout=10).status_code == 200
    finally:
        assert h.stop() == 0


def test_sighup_without_tls_leaves_the_server_running(start_tls, pki):
    """`systemctl reload` sends SIGHUP whatever the configuration; it must not end herald."""
    h = start_tls(tls=False)
    h.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while "no TLS certificate to reload" not in h.log():
        assert time.monotonic() < deadline and h.proc.poll() is None, h.log()[-2000:]
        time.sleep(0.1)
    assert requests.get(f"http://127.0.0.1:{h.port}/health/live", timeout=10).status_code == 200
    assert h.stop() == 0


def test_without_public_url_the_issuer_is_https_when_tls_is_on(start_tls, pki):
    h = start_tls(public_url=False)
    doc = requests.get(f"{h.base}/realms/acme/.well-known/openid-configuration", verify=pki["ca_pem"], timeout=10).json()
    assert doc["issuer"] == f"https://127.0.0.1:{h.port}/realms/acme"
    assert "--public-url is http://" not in h.log()
