"""Agent-Signature (wire-formats §5) end to end: Herald issues a JWT passport for an agent's
key, the example relying party (Examples/RelyingParty, HeraldVerifier's AgentTrustMiddleware)
trusts Herald's acme realm, and requests are signed by a signer written here from §5 with
Python ``cryptography`` alone (ES256, raw r‖s, s left as the library produces it).

Each kind of refusal comes back with its own reason code; ``herald sign-request`` output is
accepted by the relying party; and mcps-secure's own ``verify_message`` accepts the
envelope ``herald sign-request --format mcps`` writes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import time
from pathlib import Path

import mcp_secure
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from conftest import free_port, herald_binary
from herald_helpers import client_secret, ec_public_jwk, okp_public_jwk, rfc7638_thumbprint

READY_TIMEOUT = 30.0


def rp_binary() -> Path:
    env = os.environ.get("HERALD_EXAMPLE_RP_BIN")
    return Path(env) if env else herald_binary().parent / "herald-example-rp"


# -- the signer, from wire-formats §5 --------------------------------------------------------

def signed_string(method: str, target: str, ts: int, nonce: str, body: bytes) -> bytes:
    """Five lines joined by \\n, no trailing newline."""
    return "\n".join([method.upper(), target, str(ts), nonce, hashlib.sha256(body).hexdigest()]).encode()


def es256_raw(key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def public_jwk(key) -> dict:
    return okp_public_jwk(key) if isinstance(key, ed25519.Ed25519PrivateKey) else ec_public_jwk(key)


def agent_signature(key, method: str, target: str, body: bytes = b"", *, ts: int | None = None,
                    nonce: str | None = None, trust: str | None = "L3", keyid: str | None = None,
                    signed: dict | None = None) -> str:
    """The Agent-Signature value; ``signed`` overrides what goes into the signed string
    (method, target, ts, nonce, body) while the header keeps the real values."""
    ts = int(time.time()) if ts is None else ts
    nonce = nonce or secrets.token_hex(16)
    parts = dict(method=method, target=target, ts=ts, nonce=nonce, body=body)
    parts.update(signed or {})
    message = signed_string(parts["method"], parts["target"], parts["ts"], parts["nonce"], parts["body"])
    if isinstance(key, ed25519.Ed25519PrivateKey):
        alg, sig = "EdDSA", key.sign(message)
    else:
        alg, sig = "ES256", es256_raw(key, message)
    params = [f'keyid="{keyid or rfc7638_thumbprint(public_jwk(key))}"', f'alg="{alg}"', f'ts="{ts}"',
              f'nonce="{nonce}"']
    if trust:
        params.append(f'trust="{trust}"')
    params.append(f'sig="{base64.b64encode(sig).decode()}"')
    return ", ".join(params)


# -- the world: Herald, passports, the relying party ---------------------------------------

class RelyingParty:
    def __init__(self, proc, base, log_path):
        self.proc, self.base, self.log_path = proc, base, log_path

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-40:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_rp(tmp_path: Path, *args: str) -> RelyingParty:
    binary = rp_binary()
    if not binary.exists():
        pytest.fail(f"example relying party not found at {binary} (swift build --product herald-example-rp)")
    port = free_port()
    log_path = tmp_path / f"rp-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(binary), "--listen", f"127.0.0.1:{port}", *args], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    rp = RelyingParty(proc, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the relying party exited with {proc.returncode}\n{rp.log_tail()}")
        try:
            if requests.get(f"{rp.base}/health", timeout=2).status_code == 200:
                return rp
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            rp.stop()
            pytest.fail(f"the relying party is not ready after {READY_TIMEOUT:.0f}s\n{rp.log_tail()}")
        time.sleep(0.1)


def agent_token(herald, realm: str, client_id: str) -> str:
    r = requests.post(herald.token_endpoint(realm), data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret(client_id)},
        timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def issue_passport(herald, realm: str, client_id: str, agent: str, key, fmt: str = "jwt"):
    r = requests.post(f"{herald.issuer(realm)}/agents/{agent}/passport", params={"format": fmt},
                      headers={"Authorization": f"Bearer {agent_token(herald, realm, client_id)}"},
                      json={"public_key": public_jwk(key)}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["passport"] if fmt == "jwt" else r.json()


class World:
    def __init__(self, herald, rp, key, passport, stranger_key, stranger_passport):
        self.herald, self.rp = herald, rp
        self.key, self.passport = key, passport
        self.stranger_key, self.stranger_passport = stranger_key, stranger_passport

    def send(self, method: str, target: str, body: bytes = b"", *, key=None, passport=None, header=None,
             send_method=None, send_target=None, send_body=None, **sign):
        """Signs (method, target, body) and sends (send_method/target/body, default the same)."""
        key = key or self.key
        headers = {"Agent-Signature": header or agent_signature(key, method, target, body, **sign),
                   "Agent-Passport": passport or self.passport}
        if body or send_body:
            headers["Content-Type"] = "application/json"
        return requests.request(send_method or method, self.rp.base + (send_target or target),
                                data=send_body if send_body is not None else body, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def world(start_herald, tmp_path_factory):
    herald = start_herald()  # its own instance: no other module's kill or revocation reaches these agents
    key = ec.generate_private_key(ec.SECP256R1())
    passport = issue_passport(herald, "acme", "payments-bot", "agent-payments", key)  # L3
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger_passport = issue_passport(herald, "globex", "globex-broker", "agent-broker", stranger_key)  # L3, globex
    rp = start_rp(tmp_path_factory.mktemp("rp"), "--issuer", herald.issuer("acme"))
    yield World(herald, rp, key, passport, stranger_key, stranger_passport)
    rp.stop()


def refusal(resp) -> tuple[int, str]:
    """(status, reason code) of a refused request."""
    assert resp.status_code in (401, 403), f"{resp.status_code} {resp.text}"
    body = resp.json()
    assert body.get("error_description"), body
    return resp.status_code, body["reason"]


# -- accepted -----------------------------------------------------------------------------

def test_signed_requests_pass_at_each_level(world: World):
    body = json.dumps({"service": "api", "version": "1.4.2"}).encode()
    for _ in range(8):  # several signatures: about half of them high-S, as cryptography signs
        r = world.send("POST", "/deploy?env=prod", body)
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["agent"] == "agent-payments" and answer["level"] == "L3", answer
        assert answer["issuer"] == world.herald.issuer("acme") and answer["minimum"] == "L3", answer
    r = world.send("GET", "/public")
    assert r.status_code == 200 and r.json()["minimum"] == "L0", r.text
    r = world.send("GET", "/reports?period=2026-Q4", trust=None)  # no trust: the passport's level
    assert r.status_code == 200 and r.json()["level"] == "L3", r.text


# -- refused, each with its own reason ----------------------------------------------------

def test_each_refusal_has_a_distinct_reason(world: World):
    body = b'{"service":"api"}'
    now = int(time.time())
    cases = {
        "tampered method": world.send("POST", "/deploy", body, signed={"method": "DELETE"}),
        "tampered path": world.send("POST", "/deploy", body, signed={"target": "/deploy/all"}),
        "tampered query": world.send("POST", "/deploy?env=dev", body, signed={"target": "/deploy?env=prod"}),
        "tampered body": world.send("POST", "/deploy", body, send_body=b'{"service":"db"}'),
        "tampered ts": world.send("POST", "/deploy", body, ts=now, signed={"ts": now - 1}),
        "tampered nonce": world.send("POST", "/deploy", body, nonce="ab" * 16, signed={"nonce": "cd" * 16}),
        "stale ts": world.send("POST", "/deploy", body, ts=now - 301 - 5),
        "future ts": world.send("POST", "/deploy", body, ts=now + 301 + 5),
        "trust above passport": world.send("POST", "/payments", body, trust="L4"),
        "trust below route": world.send("POST", "/deploy", body, trust="L1"),
        "unknown issuer": world.send("POST", "/deploy", body, key=world.stranger_key,
                                     passport=world.stranger_passport),
        "other key": world.send("POST", "/deploy", body, key=ec.generate_private_key(ec.SECP256R1())),
        "no passport header": requests.post(world.rp.base + "/deploy", data=body, timeout=10, headers={
            "Agent-Signature": agent_signature(world.key, "POST", "/deploy", body)}),
        "malformed header": world.send("POST", "/deploy", body, header='keyid="k", alg="ES256", bogus="1"'),
        "unsupported alg": world.send("POST", "/deploy", body, header=agent_signature(
            world.key, "POST", "/deploy", body).replace('alg="ES256"', 'alg="HS256"')),
    }
    nonce = secrets.token_hex(16)
    first = world.send("POST", "/deploy", body, nonce=nonce, ts=now)
    assert first.status_code == 200, first.text
    cases["replayed nonce"] = world.send("POST", "/deploy", body, nonce=nonce, ts=now)

    reasons = {name: refusal(resp) for name, resp in cases.items()}
    expected = {
        "tampered method": "bad_signature", "tampered path": "bad_signature", "tampered query": "bad_signature",
        "tampered body": "bad_signature", "tampered ts": "bad_signature", "tampered nonce": "bad_signature",
        "stale ts": "stale_timestamp", "future ts": "stale_timestamp",
        "trust above passport": "insufficient_trust", "trust below route": "insufficient_trust",
        "unknown issuer": "unknown_issuer", "other key": "key_mismatch", "no passport header": "missing_passport",
        "malformed header": "malformed_header", "unsupported alg": "unsupported_algorithm",
        "replayed nonce": "replayed_nonce",
    }
    assert {name: reason for name, (_, reason) in reasons.items()} == expected
    # The must-show's kinds are told apart: tampering, replay, staleness, trust, issuer.
    kinds = [reasons[n][1] for n in ("tampered body", "replayed nonce", "stale ts", "trust above passport",
                                     "unknown issuer", "other key")]
    assert len(set(kinds)) == len(kinds), kinds
    # Authentication failures are 401, a verified agent below the minimum is 403.
    assert reasons["trust above passport"][0] == 403 and reasons["unknown issuer"][0] == 401
    assert reasons["tampered body"][0] == 401 and reasons["replayed nonce"][0] == 401


def test_refusal_says_what_to_do(world: World):
    r = world.send("POST", "/payments", b"{}", trust="L4")
    body = r.json()
    assert "L4" in body["error_description"] and "L3" in body["error_description"], body
    assert world.passport not in r.text  # no credentials echoed


# -- herald sign-request ------------------------------------------------------------------

def write_credentials(world: World, tmp_path: Path) -> tuple[Path, Path]:
    key_file = tmp_path / "agent.key.pem"
    key_file.write_bytes(world.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    passport_file = tmp_path / "passport.jwt"
    passport_file.write_text(world.passport + "\n")
    return key_file, passport_file


def herald_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(herald_binary()), *args], capture_output=True, text=True, timeout=60)


def test_sign_request_headers_pass_at_the_relying_party(world: World, tmp_path: Path):
    key_file, passport_file = write_credentials(world, tmp_path)
    body = '{"service":"api","replicas":3}'
    url = world.rp.base + "/deploy?env=prod&team=a%2Fb"
    out = herald_cli("sign-request", url, "--key", str(key_file), "--passport", str(passport_file),
                     "--method", "POST", "--data", body, "--trust", "L3")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["Agent-Signature", "Agent-Passport"], out.stdout
    headers = dict(line.split(": ", 1) for line in lines)
    assert headers["Agent-Passport"] == world.passport
    assert 'trust="L3"' in headers["Agent-Signature"]
    headers["Content-Type"] = "application/json"
    r = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    assert r.status_code == 200 and r.json()["agent"] == "agent-payments", r.text
    # the same headers again: a replay
    r = requests.post(url, data=body.encode(), headers=headers, timeout=10)
    assert refusal(r)[1] == "replayed_nonce"


def test_sign_request_send(world: World, tmp_path: Path):
    key_file, passport_file = write_credentials(world, tmp_path)
    out = herald_cli("sign-request", world.rp.base + "/deploy", "--key", str(key_file), "--passport",
                     world.passport, "--data", '{"service":"api"}', "--send")
    assert out.returncode == 0, out.stderr
    status, answer = out.stdout.split("\n", 1)
    assert status == "HTTP 200" and json.loads(answer)["level"] == "L3", out.stdout
    # refused: exit 2, the answer still printed
    out = herald_cli("sign-request", world.rp.base + "/payments", "--key", str(key_file), "--passport",
                     str(passport_file), "--data", "{}", "--trust", "L4", "--send")
    assert out.returncode == 2 and out.stdout.startswith("HTTP 403"), (out.returncode, out.stdout, out.stderr)
    assert json.loads(out.stdout.split("\n", 1)[1])["reason"] == "insufficient_trust"


def test_sign_request_refuses_a_key_that_is_not_the_passports(world: World, tmp_path: Path):
    _, passport_file = write_credentials(world, tmp_path)
    other = tmp_path / "other.pem"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    out = herald_cli("sign-request", world.rp.base + "/deploy", "--key", str(other), "--passport", str(passport_file))
    assert out.returncode == 1 and "not the passport's key" in out.stderr, out.stderr


def test_mcps_secure_verifies_the_mcps_envelope(world: World, tmp_path: Path):
    key_file, passport_file = write_credentials(world, tmp_path)
    message = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
               "params": {"name": "query", "arguments": {"sql": "select 1", "limit": 10, "dry_run": True}}}
    out = herald_cli("sign-request", "http://mcp.example/rpc", "--format", "mcps", "--key", str(key_file),
                     "--passport", str(passport_file), "--data", json.dumps(message))
    assert out.returncode == 0, out.stderr
    envelope = json.loads(out.stdout)
    pem = world.key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert mcp_secure.verify_message(envelope, pem) == {"valid": True, "error": None}
    jti = json.loads(base64.urlsafe_b64decode(world.passport.split(".")[1] + "=="))["jti"]
    assert envelope["mcps"]["passport_id"] == jti and envelope["mcps"]["version"] == "1.0"
    assert {k: v for k, v in envelope.items() if k != "mcps"} == message
    # mcps-secure's own nonce store sees it once
    store = mcp_secure.NonceStore()
    try:
        assert store.check(envelope["mcps"]["nonce"]) and not store.check(envelope["mcps"]["nonce"])
    finally:
        store.destroy()
    # tampering is caught by mcps-secure, and another key does not verify
    forged = dict(envelope, params={"name": "drop", "arguments": {}})
    assert mcp_secure.verify_message(forged, pem)["valid"] is False
    other = mcp_secure.generate_key_pair()["public_key"]
    assert mcp_secure.verify_message(envelope, other)["valid"] is False


def test_mcps_secure_verifies_an_envelope_signed_for_an_mcps_passport(world: World, tmp_path: Path):
    """The whole mcps-secure chain: the MCPS passport verifies with the realm's trust-authority
    key, and the envelope herald signs under that passport verifies with the passport's key."""
    key_file, _ = write_credentials(world, tmp_path)
    passport = issue_passport(world.herald, "acme", "payments-bot", "agent-payments", world.key, fmt="mcps")
    passport_file = tmp_path / "passport.mcps.json"
    passport_file.write_text(json.dumps(passport))
    ta_pem = requests.get(f"{world.herald.issuer('acme')}/api/ta/public-key", timeout=10).json()["pem"]
    assert mcp_secure.verify_passport_signature(passport, ta_pem) is True
    message = {"jsonrpc": "2.0", "id": "q-1", "method": "tools/list", "params": {}}
    out = herald_cli("sign-request", "http://mcp.example/rpc", "--format", "mcps", "--key", str(key_file),
                     "--passport", str(passport_file), "--data", json.dumps(message))
    assert out.returncode == 0, out.stderr
    envelope = json.loads(out.stdout)
    assert envelope["mcps"]["passport_id"] == passport["passport_id"]
    jwk = passport["public_key"]
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="), "big"),
        int.from_bytes(base64.urlsafe_b64decode(jwk["y"] + "=="), "big"), ec.SECP256R1())
    passport_pem = numbers.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert mcp_secure.verify_message(envelope, passport_pem) == {"valid": True, "error": None}
    # An MCPS passport cannot go in Agent-Passport: headers format asks for the JWT one.
    out = herald_cli("sign-request", world.rp.base + "/deploy", "--key", str(key_file), "--passport",
                     str(passport_file))
    assert out.returncode == 1 and "JWT passport" in out.stderr, out.stderr
