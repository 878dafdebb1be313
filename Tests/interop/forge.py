"""Forging JOSE inputs for the attack corpus (Tests/interop/test_attacks_*.py).

Everything here works on the wire form: compact JWS text, raw JSON bytes and raw
signatures, so that inputs no JOSE library would produce (duplicate members, padded
base64url, high-S or DER signatures, a payload changed under a kept signature) can be
built. Honest tokens and assertions come from the third-party libraries (PyJWT, joserfc)
in the tests themselves.
"""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from herald_helpers import b64url, b64url_decode

# The P-256 group order n (SEC 2) and the Ed25519 group order L (RFC 8032 §5.1).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ED25519_L = 2**252 + 27742317777372353535851937790883648493


# -- reading a compact JWS -----------------------------------------------------------------

def parts(token: str) -> list[str]:
    return token.split(".")


def header_of(token: str) -> dict:
    return json.loads(b64url_decode(parts(token)[0]))


def claims_of(token: str) -> dict:
    return json.loads(b64url_decode(parts(token)[1]))


def signature_of(token: str) -> bytes:
    return b64url_decode(parts(token)[2])


# -- changing a JWS while keeping its signature --------------------------------------------

def with_header(token: str, header: dict | bytes) -> str:
    """The token with another protected header, payload and signature kept."""
    h = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    _, p, s = parts(token)
    return f"{b64url(h)}.{p}.{s}"


def with_claims(token: str, claims: dict | bytes) -> str:
    """The token with another payload, header and signature kept (the signature no longer
    covers what it is sent with)."""
    body = claims if isinstance(claims, bytes) else json.dumps(claims, separators=(",", ":")).encode()
    h, _, s = parts(token)
    return f"{h}.{b64url(body)}.{s}"


def with_signature(token: str, signature: bytes) -> str:
    h, p, _ = parts(token)
    return f"{h}.{p}.{b64url(signature)}"


def high_s_twin(token: str) -> str:
    """The same ES256 signature with s replaced by n − s: (r, n − s) verifies like (r, s)
    for any ECDSA verifier that does not enforce low-S."""
    sig = signature_of(token)
    assert len(sig) == 64, "an ES256 JWS signature is r||s, 64 bytes"
    r, s = sig[:32], int.from_bytes(sig[32:], "big")
    return with_signature(token, r + (P256_N - s).to_bytes(32, "big"))


def is_high_s(signature: bytes) -> bool:
    return int.from_bytes(signature[32:], "big") > P256_N // 2


def der_signature(token: str) -> str:
    """The ES256 signature re-encoded as ASN.1 DER (what OpenSSL emits), not JWS's r||s."""
    sig = signature_of(token)
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    return with_signature(token, der)


def ed25519_s_plus_l(token: str) -> str:
    """An Ed25519 signature with S + L in place of S (RFC 8032 §5.1.7 requires S < L)."""
    sig = signature_of(token)
    s = int.from_bytes(sig[32:], "little") + ED25519_L
    assert s < 2**256
    return with_signature(token, sig[:32] + s.to_bytes(32, "little"))


# -- signing arbitrary bytes ---------------------------------------------------------------

def es256_sign(private_key: ec.EllipticCurvePrivateKey, message: bytes, *, s_half: str = "low") -> bytes:
    """Raw r||s over `message`; `s_half` "low" or "high" picks which of the two valid s
    values is sent (cryptography returns either at random)."""
    r, s = decode_dss_signature(private_key.sign(message, ec.ECDSA(hashes.SHA256())))
    low = min(s, P256_N - s)
    s = low if s_half == "low" else P256_N - low
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def low_s_es256_signer(private_key):
    return lambda message: es256_sign(private_key, message)


def sign_raw(header: bytes | dict, payload: bytes | dict, signer) -> str:
    """A compact JWS over exactly these header and payload bytes; `signer(signing_input)`
    returns the raw signature (None: an empty signature)."""
    h = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    p = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    signing_input = f"{b64url(h)}.{b64url(p)}"
    sig = signer(signing_input.encode("ascii")) if signer else b""
    return f"{signing_input}.{b64url(sig)}"


def json_with_duplicates(members: list[tuple[str, object]]) -> bytes:
    """A JSON object written member by member, so that a name may appear twice."""
    return ("{" + ",".join(f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in members)
            + "}").encode()


# -- non-canonical base64url -----------------------------------------------------------------

def padded(segment: str) -> str:
    """The segment with the '=' padding RFC 7515 §2 forbids."""
    return segment + "=" * (-len(segment) % 4)


def standard_alphabet(segment: str) -> str:
    """The segment in the standard base64 alphabet ('+' and '/' for '-' and '_')."""
    return segment.replace("-", "+").replace("_", "/")


def with_trailing_bits(segment: str) -> str:
    """The segment with unused low bits of its last character set: it decodes to the same
    bytes with a lenient decoder, so one value would have several spellings."""
    if len(segment) % 4 == 0:
        raise ValueError("no trailing bits in a segment whose length is a multiple of 4")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = 0x0F if len(segment) % 4 == 2 else 0x03
    value = alphabet.index(segment[-1])
    assert value & unused == 0, "already non-canonical"
    return segment[:-1] + alphabet[value | 1]


def segment_with_trailing_bits(token: str) -> tuple[int, str]:
    """(index, token) with the trailing bits of the first segment that has any set."""
    ps = parts(token)
    for i, segment in enumerate(ps):
        if len(segment) % 4:
            ps[i] = with_trailing_bits(segment)
            return i, ".".join(ps)
    raise ValueError("every segment's length is a multiple of 4")


def std_b64(data: bytes) -> str:
    return base64.b64encode(data).decode()

