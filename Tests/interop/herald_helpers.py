"""Small client-side helpers for the interop suite (no Herald logic re-implemented here:
only file look-ups, base64url/JWS plumbing and response assertions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
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
