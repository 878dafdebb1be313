#!/usr/bin/env python3
"""Size of an issued access token, per part and per claim (issue 12 item 2).

Usage: token_size.py PREFIX TOKEN_FILE   (TOKEN_FILE: one compact JWS, e.g. from
verify_token.py --token-out). Prints key=value lines for bench.sh's metrics file:
PREFIX_bytes, PREFIX_header_bytes, PREFIX_payload_bytes, PREFIX_signature_bytes (the
base64url parts), PREFIX_payload_json_bytes, and for each top-level claim
PREFIX_claim_<name>_bytes: the bytes `"name":value,` takes in the compact JSON payload (the
claim re-serialised compactly; the sum is checked against the real payload), and for each
member of an object claim (mcps, realm_access, act) PREFIX_claim_<name>.<member>_bytes.
The decoded header and claims go to stderr, for the log.
"""
import base64
import json
import sys


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def member_bytes(name, value):
    """Bytes of `"name":value` plus the comma that separates it from the next member."""
    return len(f"{compact(name)}:{compact(value)},".encode())


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: token_size.py PREFIX TOKEN_FILE")
    prefix, token = sys.argv[1], open(sys.argv[2]).read().strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise SystemExit(f"{sys.argv[2]}: not a compact JWS (expected 3 dot-separated parts, got {len(parts)})")
    header_raw, payload_raw = b64d(parts[0]), b64d(parts[1])
    header, claims = json.loads(header_raw), json.loads(payload_raw)
    print(f"token header: {header_raw.decode()}", file=sys.stderr)
    print(f"token claims: {payload_raw.decode()}", file=sys.stderr)
    out = {"bytes": len(token), "header_bytes": len(parts[0]), "payload_bytes": len(parts[1]),
           "signature_bytes": len(parts[2]), "payload_json_bytes": len(payload_raw)}
    total = 2  # the braces
    for name, value in claims.items():
        n = member_bytes(name, value)
        total += n
        out[f"claim_{name}_bytes"] = n
        if isinstance(value, dict):
            for member, inner in value.items():
                out[f"claim_{name}.{member}_bytes"] = member_bytes(member, inner)
    total -= 1 if claims else 0  # no comma after the last member
    # Herald's writer and Python's may escape differently ("/" as "\/"): say how far off we are.
    out["claims_sum_minus_payload_bytes"] = total - len(payload_raw)
    for k, v in out.items():
        print(f"{prefix}_{k}={v}")


if __name__ == "__main__":
    main()
