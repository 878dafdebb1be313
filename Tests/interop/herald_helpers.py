"""Small client-side helpers for the interop suite (no Herald logic re-implemented here:
only file look-ups, base64url/JWS plumbing and response assertions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import jwt as pyjwt
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

REPO = Path(__file__).resolve().parents[2]
REALMS_DIR = REPO / "realms"
DEMO_KEYS_DIR = REALMS_DIR / "demo-keys"

CLIENT_CREDENTIALS = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


# -- realm files ---------------------------------------------------------------------------

def realm_file(realm: str, realms_dir: Path = REALMS_DIR) -> dict:
    return yaml.safe_load((realms_dir / f"{realm}.yaml").read_text())


def _find_client(client_id: str, realms_dir: Path = REALMS_DIR) -> tuple[Path, dict]:
    for path in sorted(realms_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text()) or {}
        for c in doc.get("clients") or []:
            if c.get("client_id") == client_id:
                return path, c
    raise KeyError(f"client {client_id!r} not found in {realms_dir}")


def client_secret(client_id: str, realms_dir: Path = REALMS_DIR) -> str:
    """A demo client's secret: its realm entry's `secret_file` (relative to the realm
    file), else realms/secrets/<client_id>; the trailing newline is not part of it."""
    try:
        path, c = _find_client(client_id, realms_dir)
        rel = c.get("secret_file") or f"secrets/{client_id}"
        f = path.parent / rel
    except KeyError:
        f = realms_dir / "secrets" / client_id
    return f.read_text().rstrip("\r\n")


def client_public_jwk(client_id: str, realms_dir: Path = REALMS_DIR) -> dict:
    """The first key of a private_key_jwt client's `jwks` in its realm file."""
    _, c = _find_client(client_id, realms_dir)
    return dict(c["jwks"]["keys"][0])


def demo_private_key_pem(client_id: str) -> bytes:
    return (DEMO_KEYS_DIR / f"{client_id}.DEMO-ONLY.key.pem").read_bytes()


def demo_private_key(client_id: str):
    return serialization.load_pem_private_key(demo_private_key_pem(client_id), password=None)


def public_key_pem(private_key) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# -- JWS by hand ---------------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(obj) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jws_compact(header: dict, payload: dict, signer) -> str:
    """`signer(signing_input: bytes) -> bytes` (raw JWS signature); None = empty signature."""
    signing_input = f"{b64url_json(header)}.{b64url_json(payload)}"
    sig = signer(signing_input.encode("ascii")) if signer else b""
    return f"{signing_input}.{b64url(sig)}"


def es256_signer(private_key: ec.EllipticCurvePrivateKey):
    def sign(msg: bytes) -> bytes:
        r, s = decode_dss_signature(private_key.sign(msg, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return sign


def eddsa_signer(private_key: ed25519.Ed25519PrivateKey):
    return private_key.sign


def hs256_signer(key: bytes):
    return lambda msg: hmac.new(key, msg, hashlib.sha256).digest()


def assertion_claims(client_id: str, aud: str, *, lifetime: int = 120, **overrides) -> dict:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now,
              "exp": now + lifetime, "jti": secrets.token_hex(16)}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def signed_assertion(client_id: str, aud: str, *, key=None, alg: str = "ES256", **overrides) -> str:
    """A well-formed RFC 7523 client assertion signed with PyJWT (the demo key by default)."""
    key = key if key is not None else demo_private_key(client_id)
    return pyjwt.encode(assertion_claims(client_id, aud, **overrides), key, algorithm=alg,
                        headers={"typ": "JWT"})


def assertion_form(client_id: str, assertion: str, **extra) -> dict:
    form = {"grant_type": CLIENT_CREDENTIALS, "client_id": client_id,
            "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}
    form.update(extra)
    return form


# -- response checks -----------------------------------------------------------------------

def describe(resp) -> str:
    return (f"{resp.request.method} {resp.request.url} -> {resp.status_code} "
            f"{resp.headers.get('Content-Type')!r} {resp.text[:300]!r}")


def assert_not_5xx(resp):
    assert resp.status_code < 500, f"server error: {describe(resp)}"


def assert_json(resp):
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip().lower() == "application/json", \
        f"expected application/json: {describe(resp)}"
    return resp.json()


def assert_oauth_error(resp, status: int, error: str | None, *, www_authenticate: bool = False):
    """RFC 6749 §5.2 error: status, JSON body with `error` (== `error`, when given) and an
    optional string `error_description`. `www_authenticate`: the response must carry a
    WWW-Authenticate header (RFC 6749 §5.2 when the client used the Authorization header)."""
    assert_not_5xx(resp)
    assert resp.status_code == status, f"expected {status}: {describe(resp)}"
    body = assert_json(resp)
    assert isinstance(body, dict) and isinstance(body.get("error"), str), describe(resp)
    if error is not None:
        assert body["error"] == error, f"expected error={error!r}: {describe(resp)}"
    if "error_description" in body:
        assert isinstance(body["error_description"], str), describe(resp)
    if www_authenticate:
        assert resp.headers.get("WWW-Authenticate"), f"no WWW-Authenticate: {describe(resp)}"
    return body


def scope_set(value) -> set[str]:
    return set((value or "").split())


# -- admin API and federation peers (shared by test_federation and the attack corpus) ------

def rfc7638_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an EC P-256 or OKP public JWK."""
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("crv", "kty", "x")
    canonical = json.dumps({k: jwk[k] for k in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def ec_public_jwk(key: ec.EllipticCurvePrivateKey) -> dict:
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big"))}


def okp_public_jwk(key: ed25519.Ed25519PrivateKey) -> dict:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def low_s_es256_signer(private_key: ec.EllipticCurvePrivateKey):
    """r||s with s in the lower half of the group order, as Herald signs (PyJWT and
    cryptography return either half at random)."""
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

    def sign(msg: bytes) -> bytes:
        r, s = decode_dss_signature(private_key.sign(msg, ec.ECDSA(hashes.SHA256())))
        s = min(s, order - s)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return sign


class Admin:
    """The admin API of one herald process, with its bootstrap admin client."""

    def __init__(self, herald):
        import requests
        self.herald = herald
        credentials = json.loads((herald.data_dir / "admin-credentials").read_text())
        self.credentials = (credentials["client_id"], credentials["client_secret"])
        reply = requests.post(f"{herald.base}/realms/master/protocol/openid-connect/token",
                              auth=self.credentials, data={"grant_type": "client_credentials"}, timeout=10)
        reply.raise_for_status()
        self.token = reply.json()["access_token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, body=None):
        import requests
        return requests.request(method, f"{self.herald.base}/admin/realms/{path}", json=body, headers=self.headers,
                                timeout=30)

    def audit(self, realm: str, **params) -> list[dict]:
        """Every entry of `realm` matching `params` (type, client, agent, after), oldest first."""
        entries: list[dict] = []
        params = dict(params, limit=1000)
        while True:
            reply = self.call("GET", f"{realm}/audit?" + "&".join(f"{k}={v}" for k, v in params.items()))
            assert reply.status_code == 200, reply.text
            body = reply.json()
            entries += body["entries"]
            if body["next_after"] is None:
                return entries
            params["after"] = body["next_after"]


class FakePeer:
    """A peer organisation played by the test: it serves whatever the test sets at
    ``{base}/{name}/…`` (a bundle, a status list), signed with keys the test holds, and
    records the paths it was asked for. A response may be a callable, called per request
    (a fresh bundle each time)."""

    def __init__(self):
        import http.server
        import threading
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.issuer_key = ec.generate_private_key(ec.SECP256R1())
        self.responses: dict[str, tuple[int, object]] = {}
        self.requests: list[str] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                fake.requests.append(self.path)
                name = self.path.split("/")[1]
                status, body = fake.responses.get(name, (404, b"no"))
                if callable(body):
                    body = body()
                body = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/trust-bundle+jwt")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def entity(self, name: str) -> str:
        return f"{self.base}/{name}"

    @property
    def pin(self) -> str:
        return rfc7638_thumbprint(ec_public_jwk(self.key))

    @property
    def issuer_kid(self) -> str:
        return rfc7638_thumbprint(ec_public_jwk(self.issuer_key))

    def bundle_claims(self, name: str, sequence: int, *, status="active", key=None, iss=None, exp_in=3600,
                      agents=None, extra=None) -> dict:
        now = int(time.time())
        fed = ec_public_jwk(key or self.key)
        issuer = ec_public_jwk(self.issuer_key)
        payload = {
            # An expired bundle was also issued earlier: exp after iat, both in the past.
            "iss": iss or self.entity(name), "iat": now + min(0, exp_in) - 60, "exp": now + exp_in, "sequence": sequence,
            "refresh_hint": 300,
            "issuer_keys": {"keys": [dict(issuer, alg="ES256", use="sig", kid=rfc7638_thumbprint(issuer))]},
            "federation_keys": {"keys": [dict(fed, alg="ES256", use="sig", kid=rfc7638_thumbprint(fed))]},
            "agents": agents if agents is not None else [
                {"sub": "fake-agent", "trust_level": 4, "trust_score": 90, "pipeline_stage": "ACTIVE",
                 "status": status, "updated_at": now}],
        }
        payload.update(extra or {})
        return payload

    def bundle(self, name: str, sequence: int, *, key=None, header=None, **kw) -> str:
        """A trust bundle (wire-formats §7) signed low-S by the federation key (or `key`)."""
        key = key or self.key
        head = header or {"alg": "ES256", "typ": "trust-bundle+jwt", "kid": rfc7638_thumbprint(ec_public_jwk(key))}
        return jws_compact(head, self.bundle_claims(name, sequence, key=key, **kw), low_s_es256_signer(key))

    def serve(self, name: str, body, status: int = 200):
        self.responses[name] = (status, body)

    def agent_claims(self, name: str, sub: str = "fake-agent", **overrides) -> dict:
        now = int(time.time())
        claims = {"iss": self.entity(name), "sub": sub, "aud": self.entity(name), "iat": now, "exp": now + 300,
                  "jti": secrets.token_hex(8)}
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def agent_token(self, name: str, sub: str = "fake-agent", *, header=None, key=None, **overrides) -> str:
        """An access token of the peer (`typ: at+jwt`) signed low-S by its issuer key."""
        head = header or {"alg": "ES256", "typ": "at+jwt", "kid": self.issuer_kid}
        return jws_compact(head, self.agent_claims(name, sub, **overrides), low_s_es256_signer(key or self.issuer_key))

    def stop(self):
        self.server.shutdown()


@contextmanager
def ldap_demo_herald(start_herald, work: Path, extra_realm_yaml: str = "", extra_args=()):
    """The LDAP demo realm (realms/ldap/acme-ldap.yaml) on a herald of its own, over a slapd of
    its own seeded with acme-ldap.ldif (scripts/slapd-fixture.sh) in ``work/slapd``;
    ``extra_realm_yaml`` is appended to the realm file, ``extra_args`` go to ``herald serve``.
    The slapd is stopped on exit."""
    if shutil.which("slapd") is None and not Path("/usr/sbin/slapd").exists():
        raise RuntimeError("slapd is not installed: run scripts/install-deps.sh --test")
    slapd = work / "slapd"
    fixture = REALMS_DIR.parent / "scripts" / "slapd-fixture.sh"
    subprocess.run([str(fixture), "start", str(slapd), "--seed", str(REALMS_DIR / "ldap" / "acme-ldap.ldif")],
                   check=True, capture_output=True, timeout=60)
    try:
        realms = work / "realms"
        (realms / "secrets").mkdir(parents=True)
        shutil.copy(REALMS_DIR / "ldap" / "secrets" / "treasury-bot", realms / "secrets" / "treasury-bot")
        shutil.copy(slapd / "bind-password", realms / "secrets" / "ldap-bind")
        text = (REALMS_DIR / "ldap" / "acme-ldap.yaml").read_text()
        (realms / "acme-ldap.yaml").write_text(
            text.replace("ldap://127.0.0.1:3389", (slapd / "url").read_text()) + extra_realm_yaml)
        yield start_herald(realms_dir=realms, default_realm="acme-ldap", extra_args=extra_args)
    finally:
        subprocess.run([str(fixture), "stop", str(slapd)], check=False, capture_output=True, timeout=30)
