#!/usr/bin/env python3
"""Pre-generate RFC 7523 client assertions (private_key_jwt, ES256) for wrk-assertion.lua.

Usage: gen_assertions.py N OUT [--key PEM] [--client-id ID] [--aud URL] [--ttl SECONDS] [--procs P]

Writes N compact JWTs, one per line, to OUT. Each one has iss = sub = client_id,
aud = the token endpoint URL, iat = now, exp = now + ttl (default 290 s, the server allows
at most 5 minutes) and a unique jti (random run prefix + counter), because the server
rejects replays. Signatures are ES256 in JOSE form (raw r||s, 64 bytes, base64url).

Generate right before a run, so that none has expired when wrk sends it. Work is split
over --procs processes (default: number of CPUs); prints the rate to stderr.
Defaults come from the environment: ASSERTION_KEY, ASSERTION_CLIENT_ID, TOKEN_URL.
"""
import argparse, base64, json, multiprocessing as mp, os, secrets, sys, time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def load_key(path):
    with open(path, "rb") as fh:
        key = serialization.load_pem_private_key(fh.read(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SystemExit(f"{path}: expected an EC P-256 private key")
    return key


def make_assertions(key, client_id, aud, ttl, prefix, start, count, now=None):
    """Return `count` assertions (str) with jti = f"{prefix}-{start+i}"."""
    now = int(time.time()) if now is None else now
    header = b64u(json.dumps({"alg": "ES256", "typ": "JWT"}, separators=(",", ":")).encode())
    # the claims differ only by jti: build the JSON around it once
    pre = json.dumps({"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + ttl},
                     separators=(",", ":"))[:-1] + ',"jti":"'
    algo = ec.ECDSA(hashes.SHA256())
    out = []
    for i in range(start, start + count):
        payload = b64u((pre + f'{prefix}-{i}"' + "}").encode())
        signing_input = f"{header}.{payload}"
        r, s = decode_dss_signature(key.sign(signing_input.encode("ascii"), algo))
        out.append(f"{signing_input}.{b64u(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}")
    return out


def _worker(args):
    key_path, client_id, aud, ttl, prefix, start, count, now, part = args
    key = load_key(key_path)
    with open(part, "w") as fh:
        for k in range(0, count, 5000):
            fh.write("\n".join(make_assertions(key, client_id, aud, ttl, prefix, start + k,
                                               min(5000, count - k), now)))
            fh.write("\n")
    return part


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--key", default=os.environ.get("ASSERTION_KEY", "realms/demo-keys/ledger-agent.DEMO-ONLY.key.pem"))
    ap.add_argument("--client-id", default=os.environ.get("ASSERTION_CLIENT_ID", "ledger-agent"))
    ap.add_argument("--aud", default=os.environ.get("TOKEN_URL"))
    ap.add_argument("--ttl", type=int, default=290)
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    if not a.aud:
        ap.error("--aud (or TOKEN_URL) is required")
    load_key(a.key)  # fail early on a bad key
    t0 = time.perf_counter()
    now, prefix = int(time.time()), "bench-" + secrets.token_hex(6)
    procs = max(1, min(a.procs, a.n // 2000 or 1))
    chunk = -(-a.n // procs)
    jobs = []
    for p in range(procs):
        start, count = p * chunk, max(0, min(chunk, a.n - p * chunk))
        if count:
            jobs.append((a.key, a.client_id, a.aud, a.ttl, prefix, start, count, now, f"{a.out}.part{p}"))
    if len(jobs) == 1:
        parts = [_worker(jobs[0])]
    else:
        with mp.get_context("fork").Pool(len(jobs)) as pool:
            parts = pool.map(_worker, jobs)
    with open(a.out, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                while chunk_bytes := fh.read(1 << 20):
                    out.write(chunk_bytes)
            os.unlink(part)
    dt = time.perf_counter() - t0
    print(f"gen_assertions: {a.n} assertions for {a.client_id} (aud {a.aud}, exp now+{a.ttl}s) "
          f"in {dt:.1f}s ({a.n / dt:.0f}/s, {len(jobs)} procs) -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
