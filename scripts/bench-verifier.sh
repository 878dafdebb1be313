#!/usr/bin/env bash
# Agent-Signature verifications per second through HeraldVerifier's AgentTrustMiddleware
# (full requests through a Hummingbird router, unique nonces) against raw ES256 P-256
# verifications per second, in one process. Prints agent_signature_ratio=<x> (target ≥ 0.80,
# issue 11). Extra arguments go to the bench: --requests N (per round, default 20000),
# --rounds N (default 3; the median is reported).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product herald-verifier-bench >&2
exec "$(swift build -c release --show-bin-path)/herald-verifier-bench" "$@"
