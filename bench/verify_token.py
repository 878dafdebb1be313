#!/usr/bin/env python3
"""Fetch one client_credentials access token and verify it against the issuer's JWKS.

So that a benchmark of error responses (or of unsigned junk) can't pass unnoticed, bench.sh
runs this for Herald (client_secret_basic and private_key_jwt) and for the peer.

  verify_token.py --token-url URL --jwks-url URL --issuer ISS --client-id ID
                  (--secret-env VAR | --secret-file FILE | --assertion-key PEM)
                  [--scope S] [--alg ES256] [--expect-sub SUB] [--label NAME] [--token-out FILE]

Checks: HTTP 200 with token_type Bearer; signature with a JWT library (joserfc, else PyJWT)
against the fetched JWKS, algorithm pinned; iss, exp (in the future), iat; the same signature
again with raw `cryptography` (JOSE r||s -> DER); a copy with one flipped signature bit is
rejected. Prints one line `VERIFY label=... ok=1 ...` (or ok=0 and the reason); exit 0 only
if every check passed.
"""
import argparse, base64, json, os, sys, time, urllib.error, urllib.parse, urllib.request

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def post_form(url, fields, headers):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def library_verify(token, jwks, alg):
    """Verify with joserfc if present, else PyJWT. Returns (library name, claims, header)."""
    try:
        from joserfc import jwt as jjwt
        from joserfc.jwk import KeySet
        tok = jjwt.decode(token, KeySet.import_key_set(jwks), algorithms=[alg])
        return "joserfc", tok.claims, tok.header
    except ImportError:
        pass
    import jwt as pyjwt  # PyJWT
    header = pyjwt.get_unverified_header(token)
    jwk = next(k for k in jwks["keys"] if k.get("kid") == header.get("kid"))
    key = pyjwt.PyJWK(jwk, algorithm=alg)
    claims = pyjwt.decode(token, key=key.key, algorithms=[alg], options={"verify_aud": False})
    return "pyjwt", claims, header


def raw_verify(token, jwks):
    h_b64, p_b64, s_b64 = token.split(".")
    header = json.loads(b64d(h_b64))
    jwk = next(k for k in jwks["keys"] if k.get("kid") == header.get("kid"))
    signing_input, sig = f"{h_b64}.{p_b64}".encode(), b64d(s_b64)
    if header["alg"] == "ES256":
        assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and len(sig) == 64, "ES256 needs P-256 and 64-byte r||s"
        pub = ec.EllipticCurvePublicNumbers(int.from_bytes(b64d(jwk["x"]), "big"),
                                            int.from_bytes(b64d(jwk["y"]), "big"), ec.SECP256R1()).public_key()
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        pub.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    elif header["alg"] == "EdDSA":
        assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
        ed25519.Ed25519PublicKey.from_public_bytes(b64d(jwk["x"])).verify(sig, signing_input)
    else:
        raise ValueError("unexpected alg " + header["alg"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--token-url", required=True)
    ap.add_argument("--jwks-url", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--secret-env")
    ap.add_argument("--secret-file")
    ap.add_argument("--assertion-key")
    ap.add_argument("--scope", default="")
    ap.add_argument("--alg", default="ES256")
    ap.add_argument("--expect-sub")
    ap.add_argument("--label", default="token")
    ap.add_argument("--token-out", help="write the verified token to this file (bench/token_size.py reads it)")
    a = ap.parse_args()
    for u in (a.token_url, a.jwks_url):
        if not u.startswith("http://127.0.0.1:"):
            raise SystemExit(f"refusing non-loopback URL {u}")

    fields, headers = {"grant_type": "client_credentials"}, {}
    if a.scope:
        fields["scope"] = a.scope
    if a.assertion_key:
        from gen_assertions import load_key, make_assertions
        fields.update(client_id=a.client_id,
                      client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                      client_assertion=make_assertions(load_key(a.assertion_key), a.client_id, a.token_url,
                                                       290, "verify-" + os.urandom(6).hex(), 0, 1)[0])
    else:
        secret = os.environ[a.secret_env] if a.secret_env else open(a.secret_file).read().strip()
        cred = base64.b64encode(f"{a.client_id}:{secret}".encode()).decode()
        headers["Authorization"] = "Basic " + cred

    status, body = post_form(a.token_url, fields, headers)
    if status != 200:
        raise AssertionError(f"token endpoint answered HTTP {status}: {body[:300]!r}")
    resp = json.loads(body)
    token = resp["access_token"]
    assert str(resp.get("token_type", "")).lower() == "bearer", f"token_type {resp.get('token_type')!r}"
    with urllib.request.urlopen(a.jwks_url, timeout=10) as r:
        jwks = json.load(r)

    lib, claims, header = library_verify(token, jwks, a.alg)
    now = int(time.time())
    assert header.get("alg") == a.alg, header
    assert claims.get("iss") == a.issuer, f"iss {claims.get('iss')!r} != {a.issuer!r}"
    assert isinstance(claims.get("exp"), int) and claims["exp"] > now, f"exp {claims.get('exp')!r} not in the future"
    assert isinstance(claims.get("iat"), int) and claims["iat"] <= now + 5, f"iat {claims.get('iat')!r}"
    if a.expect_sub:
        assert claims.get("sub") == a.expect_sub, f"sub {claims.get('sub')!r} != {a.expect_sub!r}"
    raw_verify(token, jwks)

    h, p, s = token.split(".")
    sig = bytearray(b64d(s)); sig[5] ^= 0x01
    bad = f"{h}.{p}." + base64.urlsafe_b64encode(bytes(sig)).decode().rstrip("=")
    rejected = 0
    for check in (lambda: library_verify(bad, jwks, a.alg), lambda: raw_verify(bad, jwks)):
        try:
            check()
        except Exception:
            rejected += 1
    assert rejected == 2, "a token with a flipped signature bit was accepted"

    if a.token_out:
        with open(a.token_out, "w") as fh:
            fh.write(token + "\n")
    mcps = claims.get("mcps") or {}
    print(f"VERIFY label={a.label} ok=1 lib={lib}+cryptography alg={header.get('alg')} typ={header.get('typ')} "
          f"kid={header.get('kid')} iss={claims.get('iss')} sub={claims.get('sub')} "
          f"exp_in={claims['exp'] - now}s token_bytes={len(token)}"
          + (f" mcps.trust_level={mcps.get('trust_level')}" if mcps else ""))


if __name__ == "__main__":
    label = next((sys.argv[i + 1] for i, x in enumerate(sys.argv[:-1]) if x == "--label"), "token")
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:
        print(f"VERIFY label={label} ok=0 error={type(e).__name__}: {e}")
        sys.exit(1)
