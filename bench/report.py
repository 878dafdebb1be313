#!/usr/bin/env python3
"""Render the report of a `make bench` run from its metrics files: markdown and JSON.

Usage: report.py [--json OUT.json] METRICS_FILE [METRICS_FILE ...]
One metrics file per round (key=value lines written by scripts/bench.sh; a later line wins
within a file). With several rounds, every number shown is the median over the rounds and
the JSON (and a "Rounds" table) gives min/median/max. Prints markdown to stdout. Exit status
0 always; the verdicts are in the text and in the trailing `RESULT ...` line that bench.sh
reads (an HTML comment in the file). The JSON is what scripts/bench-compare.sh compares
(its "compared" member: every ratio, and the absolute rows marked `gated`).

To add a row: measure it in scripts/bench.sh (a function that calls `record`), then add an
entry to ROWS below. Keys: `herald` = metric key of Herald's value; `peer` = the per-configuration
key suffix (the peer's value for configuration C is `peer_<C>_<suffix>`), or None;
`best` = "max" (throughput) or "min" (memory, latency): which configuration is the peer's best;
`target` = ("ratio_ge", k) herald >= k x peer best | ("abs_lt", v) herald < v | None;
`scale`/`unit`/`fmt` for display; `errors` = keys whose non-zero value makes the row FAIL;
`key` = the row's stable name in the JSON; `better` = "higher" or "lower" (default: lower for
memory rows and absolute targets, higher otherwise); `gated` = compare the absolute value
between runs too (scripts/bench-compare.sh), for figures that do not depend on the machine's speed.
"""
import json
import statistics
import sys

KIB_PER_MIB = 1024.0

ROWS = [
    dict(key="tokens_basic", label="tokens/s, client_credentials, client_secret_basic",
         herald="herald_tok_basic_rps", peer="tokens_rps", best="max",
         target=("ratio_ge", 10), fmt="{:,.0f}", errors=["herald_tok_basic_non2xx", "herald_tok_basic_warm_non2xx"]),
    dict(key="tokens_pkjwt", label="tokens/s, client_credentials, private_key_jwt (peer: client_secret_basic)",
         herald="herald_tok_pkjwt_rps", peer="tokens_rps", best="max",
         target=("ratio_ge", 10), fmt="{:,.0f}", errors=["herald_tok_pkjwt_non2xx", "herald_tok_pkjwt_warm_non2xx"],
         lower_bound="herald_tok_pkjwt_exhausted"),
    dict(key="jwks", label="JWKS GETs/s",
         herald="herald_jwks_rps", peer="jwks_rps", best="max",
         target=("ratio_ge", 1.5), fmt="{:,.0f}", errors=["herald_jwks_non2xx"]),
    dict(key="rss_idle", label="RSS idle, MiB (after start + a few requests)",
         herald="herald_rss_idle_kib", peer="rss_idle_kib", best="min",
         target=("abs_lt", 64), scale=1 / KIB_PER_MIB, fmt="{:.1f}", gated=True),
    dict(key="rss_max", label="RSS max under load, MiB (VmRSS every 0.5 s)",
         herald="herald_rss_max_kib", peer="rss_max_kib", best="min",
         target=("abs_lt", 128), scale=1 / KIB_PER_MIB, fmt="{:.1f}", gated=True),
    # Lifecycle (issue 5): no peer does these; absolute rates, each request audited.
    dict(key="passports", label="MCPS passports issued/s (agent's own token; stored + audited)",
         herald="herald_passport_rps", fmt="{:,.0f}", errors=["herald_passport_non2xx", "herald_passport_no_token"]),
    dict(key="gate", label="MCP gate decisions/s (HTTP Basic caller; audited)",
         herald="herald_gate_rps", fmt="{:,.0f}", errors=["herald_gate_non2xx", "herald_gate_no_token"]),
    dict(key="verify_jwt_passport", label="offline JWT passport verifications/s (vs raw ES256 verify, same process)",
         herald="verify_jwt_passport_per_s", self_ref="verify_raw_es256_per_s", self_label="raw ES256",
         target=("self_ratio_ge", 0.8), fmt="{:,.0f}"),
    dict(key="verify_mcps_passport", label="offline MCPS passport verifications/s (vs raw ES256 verify, same process)",
         herald="verify_mcps_passport_per_s", self_ref="verify_raw_es256_per_s", self_label="raw ES256",
         target=("self_ratio_ge", 0.8), fmt="{:,.0f}"),
    # Federation (issue 6): a trust bundle of 100 000 agents, CPU only, best of 3.
    dict(key="federation_build_sign", label="trust bundle, 100 000 agents: build + sign, s",
         herald="federation_build_sign_seconds", target=("abs_lt", 1), fmt="{:.3f}"),
    dict(key="federation_verify_apply", label="trust bundle, 100 000 agents: verify + apply, s",
         herald="federation_verify_apply_seconds", target=("abs_lt", 1), fmt="{:.3f}"),
    dict(key="federation_full_size", label="trust bundle, 100 000 agents: size of the full bundle, MiB",
         herald="federation_full_bytes", scale=1 / (1024 * KIB_PER_MIB), fmt="{:.1f}"),
    dict(key="federation_delta_size", label="trust bundle, 100 000 agents: size of a delta with 1 % changed, KiB",
         herald="federation_delta_bytes", scale=1 / KIB_PER_MIB, fmt="{:,.0f}"),
    # Issue 11: upstream IdP exchange vs local client_credentials (one herald, same wrk
    # settings), and Agent-Signature through the relying-party middleware vs raw ES256.
    dict(key="upstream_exchange", label="upstream IdP token exchanges/s (vs client_credentials, same herald)",
         herald="upstream_exchange_rps", self_ref="upstream_cc_rps", self_label="client_credentials",
         target=("self_ratio_ge", 0.7), fmt="{:,.0f}"),
    dict(key="agent_signature", label="Agent-Signature verifications/s in AgentTrustMiddleware (vs raw ES256 verify, same process)",
         herald="agent_signature_middleware_per_s", self_ref="agent_signature_raw_es256_per_s",
         self_label="raw ES256", target=("self_ratio_ge", 0.8), fmt="{:,.0f}"),
    # Against Herald itself: the same client_secret_basic run with the audit log off.
    dict(key="audit_on_off", label="tokens/s with the durable audit log (vs herald --audit-log off)",
         herald="herald_tok_basic_rps", self_ref="herald_tok_noaudit_rps",
         target=("self_ratio_ge", 0.85), fmt="{:,.0f}", errors=["herald_tok_noaudit_non2xx"]),
    # Issue 12: the same run on the PostgreSQL store (one replica, scripts/postgres.sh's cluster).
    dict(key="postgres_tokens", label="tokens/s, client_secret_basic, PostgreSQL store (vs the SQLite store, same round)",
         herald="herald_tok_pg_rps", self_ref="herald_tok_basic_rps", self_label="SQLite store",
         target=("self_ratio_ge", 0.7), fmt="{:,.0f}", errors=["herald_tok_pg_non2xx", "herald_tok_pg_warm_non2xx"]),
    # Issue 12 item 2: the issued access token's size (bench/token_size.py; per claim below).
    dict(key="token_bytes_basic", label="access token size, bytes (client_secret_basic)",
         herald="token_basic_bytes", fmt="{:,.0f}", better="lower", gated=True),
    dict(key="token_bytes_pkjwt", label="access token size, bytes (private_key_jwt)",
         herald="token_pkjwt_bytes", fmt="{:,.0f}", better="lower", gated=True),
    # Issue 12 item 5: the MCP gate and /api/verify with 1 000 000 agents in the lifecycle
    # book and the store, against 10 000 (scripts/bench-gate.sh, a herald of its own).
    dict(key="gate_scale", label="MCP gate decisions/s, 1 000 000 agents (vs 10 000 agents, same settings)",
         herald="gate_1000000_gate_rps", self_ref="gate_10000_gate_rps", self_label="10 000 agents",
         target=("self_ratio_ge", 0.5), fmt="{:,.0f}", errors=["gate_1000000_gate_non2xx", "gate_10000_gate_non2xx"]),
    dict(key="gate_changing_scale", label="MCP gate decisions/s while the lifecycle changes once a second, 1 000 000 agents (vs 10 000 agents)",
         herald="gate_1000000_gate_changing_rps", self_ref="gate_10000_gate_changing_rps", self_label="10 000 agents",
         target=("self_ratio_ge", 0.5), fmt="{:,.0f}",
         errors=["gate_1000000_gate_changing_non2xx", "gate_10000_gate_changing_non2xx"]),
    dict(key="verify_scale", label="/api/verify answers/s, 1 000 000 agents (vs 10 000 agents, same settings)",
         herald="gate_1000000_verify_rps", self_ref="gate_10000_verify_rps", self_label="10 000 agents",
         target=("self_ratio_ge", 0.5), fmt="{:,.0f}", errors=["gate_1000000_verify_non2xx", "gate_10000_verify_non2xx"]),
    dict(key="gate_rss_1m", label="RSS max under gate load, 1 000 000 agents, MiB",
         herald="gate_1000000_rss_max_kib", scale=1 / KIB_PER_MIB, fmt="{:.1f}", better="lower", gated=True),
]

PEER_CONFIG_DESC = {
    "packaged": "as packaged (SQLite rollback journal, fsync on)",
    "wal": "SQLITE_JOURNAL=wal (fsync on)",
    "nofsync": "PEER_NOFSYNC=1 (libeatmydata: not durable)",
}


def load(path):
    m = {}
    for line in open(path):
        line = line.rstrip("\n")
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            m[k.strip()] = v
    return m


def num(m, k):
    try:
        return float(m[k])
    except (KeyError, TypeError, ValueError):
        return None


# Error counters: the worst round counts, not the median (one bad round makes the row FAIL).
ERROR_SUFFIXES = ("_non2xx", "_no_token", "_exhausted")


def merge(rounds):
    """One metrics dict from several rounds: numbers -> the median, error counters -> the
    maximum, failures -> all of them, anything else -> the last round's value."""
    keys = []
    for r in rounds:
        keys += [k for k in r if k not in keys]
    m = {}
    for k in keys:
        vals = [r[k] for r in rounds if k in r]
        nums = [num(r, k) for r in rounds if k in r]
        if k == "failures":
            m[k] = ";".join(x for v in vals for x in v.split(";") if x.strip())
        elif len(set(vals)) > 1 and all(v is not None for v in nums):
            m[k] = repr(max(nums) if k.endswith(ERROR_SUFFIXES) else statistics.median(nums))
        else:
            m[k] = vals[-1]
    return m


def fmt(v, f="{:,.0f}", scale=1.0):
    return "n/a" if v is None else f.format(v * scale)


def better_of(r):
    if r.get("better"):
        return r["better"]
    return "lower" if r.get("best") == "min" or (r.get("target") or (None,))[0] == "abs_lt" else "higher"


def evaluate(r, m, measured):
    """Herald's value, the reference (peer best or herald's own), their ratio and the verdict of one row."""
    scale = r.get("scale", 1.0)
    hv = num(m, r["herald"])
    pv, pc = None, None
    if r.get("self_ref"):
        pv, pc = num(m, r["self_ref"]), r.get("self_label", "audit off")
    elif r.get("peer"):
        vals = [(num(m, f"peer_{c}_{r['peer']}"), c) for c in measured]
        vals = [(v, c) for v, c in vals if v is not None]
        if vals:
            pv, pc = (max if r["best"] == "max" else min)(vals, key=lambda t: t[0])
    ratio = hv / pv if hv is not None and pv else None
    kind, k = r["target"] if r.get("target") else (None, None)
    if kind == "ratio_ge":
        ts, ok = f"≥ {k:g}× peer best", (ratio >= k if ratio is not None else None)
    elif kind == "self_ratio_ge":
        ts, ok = f"≥ {k:g}× {r.get('self_label', 'audit off')}", (ratio >= k if ratio is not None else None)
    elif kind == "abs_lt":
        ts, ok = f"< {k:g} MiB" if scale != 1.0 else f"< {k:g}", (hv * scale < k if hv is not None else None)
    else:
        ts, ok = "—", None
    errs = sum(int(num(m, e) or 0) for e in r.get("errors", []))
    if errs:
        st = f"**FAIL ({errs} non-2xx)**"
    elif ok is None:
        st = "measured" if hv is not None and kind is None else "n/a"
    else:
        st = "PASS" if ok else "**MISS**"
    return dict(hv=hv, pv=pv, pc=pc, ratio=ratio, ts=ts, st=st, kind=kind, k=k)


def spread(vals):
    """{"runs", "min", "median", "max"} of the numbers in vals (None dropped)."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return {}
    return {"runs": vals, "min": min(vals), "median": statistics.median(vals), "max": max(vals)}


def measured_configs(m):
    configs = [c for c in m.get("peer_configs", "").split() if c]
    return configs, [c for c in configs if num(m, f"peer_{c}_tokens_rps") is not None]


def build_json(m, rounds, failures):
    """The machine-readable result: every figure, every row's ratio, and what bench-compare.sh compares."""
    configs, measured = measured_configs(m)
    doc = {
        "schema": "herald-bench/1",
        "stamp": m.get("stamp"), "git_rev": m.get("git_rev"), "herald_bin": m.get("herald_bin"),
        "herald_build": m.get("herald_build"), "peer_version": m.get("peer_version"), "peer_configs": configs,
        "settings": {k: num(m, k) for k in ("threads", "conns", "duration", "warmup")},
        "rounds": len(rounds),
        "machine": {"nproc": num(m, "nproc"), "cpu_model": m.get("cpu_model"), "load_start": m.get("load_start"),
                    "load_end": m.get("load_end"), "busy_at_start": m.get("machine_busy") == "1"},
        "valid": not failures, "failures": failures,
        "rows": {}, "compared": {}, "figures": {},
    }
    for r in ROWS:
        e = evaluate(r, m, measured)
        if e["hv"] is None:
            continue
        scale = r.get("scale", 1.0)
        row = {"label": r["label"], "value": e["hv"] * scale, "reference": e["pv"] * scale if e["pv"] is not None else None,
               "reference_name": e["pc"], "ratio": e["ratio"], "target": e["ts"], "status": e["st"].strip("*"),
               "better": better_of(r)}
        per_round = [evaluate(r, x, measured_configs(x)[1] or measured) for x in rounds]
        if len(rounds) > 1:
            row["value_spread"] = spread([x["hv"] * scale if x["hv"] is not None else None for x in per_round])
            if e["ratio"] is not None:
                row["ratio_spread"] = spread([x["ratio"] for x in per_round])
        doc["rows"][r["key"]] = row
        if e["ratio"] is not None:
            doc["compared"][r["key"]] = {"kind": "ratio", "value": e["ratio"], "against": e["pc"],
                                         "better": "lower" if r.get("best") == "min" else "higher",
                                         "label": f"{r['label']} / {e['pc']}"}
        if r.get("gated"):
            has_reference = bool(r.get("peer") or r.get("self_ref"))
            doc["compared"][r["key"] + ("_value" if has_reference else "")] = {"kind": "absolute", "value": e["hv"] * scale, "better": better_of(r),
                                         "label": r["label"]}
    for k in m:
        vals = [num(x, k) for x in rounds if k in x]
        if vals and all(v is not None for v in vals):
            fig = {"value": num(m, k)}
            if len(vals) > 1:
                fig.update(spread(vals))
            doc["figures"][k] = fig
    return doc


def main():
    args = sys.argv[1:]
    json_out = None
    if args[:1] == ["--json"]:
        json_out, args = args[1], args[2:]
    rounds = [load(p) for p in args]
    m = merge(rounds)
    configs, measured = measured_configs(m)
    out, results = [], []
    w = out.append

    w(f"# Herald benchmark — {m.get('stamp', '?')}")
    w("")
    w(f"- herald: `{m.get('herald_bin', '?')}` ({m.get('herald_build', '?')} build, git {m.get('git_rev', '?')})")
    w(f"- peer: {m.get('peer_version', 'n/a')}, configurations: {' '.join(configs) or 'none (PEER_CONFIGS empty)'}")
    w(f"- load: wrk {m.get('wrk_version', '?')}, {m.get('threads')} threads, {m.get('conns')} connections, "
      f"{m.get('duration')} s per run (+{m.get('warmup')} s discarded warm-up before token runs), 127.0.0.1 only")
    if len(rounds) > 1:
        w(f"- **{len(rounds)} rounds** (herald then peer, interleaved): every number is the median over the rounds; "
          f"min/median/max in the Rounds table and in the JSON")
    w(f"- machine: {m.get('nproc', '?')} cores ({m.get('cpu_model', '?')}); loadavg at start {rounds[0].get('load_start', '?')}, "
      f"at end {m.get('load_end', '?')}")
    w(f"- at start: {rounds[0].get('top_start', '?')}; at end: {m.get('top_end', '?')}")
    if any(x.get("machine_busy") == "1" for x in rounds):
        w(f"- **machine was busy at the start of a round ({rounds[0].get('top_start', '?')}): numbers are noisy, "
          f"re-run on a quiet machine before drawing conclusions**")
    w("")

    # ------------------------------------------------------------------ main table
    w("| metric | herald | peer best (configuration) | ratio herald/peer | target | status |")
    w("|---|---:|---|---:|---|---|")
    for r in ROWS:
        scale, f = r.get("scale", 1.0), r.get("fmt", "{:,.0f}")
        e = evaluate(r, m, measured)
        hv, pv, pc, ratio, st = e["hv"], e["pv"], e["pc"], e["ratio"], e["st"]
        lb = r.get("lower_bound") and (num(m, r["lower_bound"]) or 0) > 0
        hs = ("≥ " if lb else "") + fmt(hv, f, scale)
        ps = f"{fmt(pv, f, scale)} ({pc})" if pv is not None else "n/a"
        rs = "n/a" if ratio is None else f"{ratio:,.{1 if ratio >= 1 else 2 if ratio >= 0.01 else 4}f}×"
        results.append((r["label"], st))
        w(f"| {r['label']} | {hs} | {ps} | {rs} | {e['ts']} | {st} |")
    w("")
    w("ratio = herald / peer best: higher is better for throughput; for RSS it is herald's "
      "memory as a multiple of the peer's (lower is better). Peer best = the configuration most "
      "favourable to the peer (highest throughput, lowest memory).")
    if any((num(m, r.get("lower_bound") or "") or 0) > 0 for r in ROWS):
        w("")
        w("**≥: a wrk thread ran out of pre-generated assertions; the rate is a lower bound — "
          "raise ASSERTION_RATE.**")
    w("")

    # ------------------------------------------------------------------ rounds
    if len(rounds) > 1:
        w(f"## Rounds ({len(rounds)})")
        w("")
        w("| metric | herald min / median / max | ratio min / median / max |")
        w("|---|---:|---:|")
        for r in ROWS:
            scale, f = r.get("scale", 1.0), r.get("fmt", "{:,.0f}")
            per = [evaluate(r, x, measured_configs(x)[1] or measured) for x in rounds]
            hs = spread([x["hv"] for x in per])
            if not hs:
                continue
            rs = spread([x["ratio"] for x in per])
            w(f"| {r['label']} | {' / '.join(fmt(hs[q], f, scale) for q in ('min', 'median', 'max'))} | "
              f"{' / '.join(f'{rs[q]:.2f}×' for q in ('min', 'median', 'max')) if rs else 'n/a'} |")
        w("")

    # ------------------------------------------------------------------ herald runs
    w("## Herald runs")
    w("")
    w("| run | req/s | latency p50 | p99 | requests | non-2xx | socket errors | herald CPU-s | loadavg before |")
    w("|---|---:|---:|---:|---:|---:|---|---:|---|")
    for key, name in (("tok_basic_warm", "warm-up, client_secret_basic"), ("tok_basic", "tokens, client_secret_basic"),
                      ("tok_pkjwt_warm", "warm-up, private_key_jwt"), ("tok_pkjwt", "tokens, private_key_jwt"),
                      ("jwks", "JWKS GET")):
        p = f"herald_{key}"
        if f"{p}_rps" not in m:
            continue
        w(f"| {name} | {fmt(num(m, p + '_rps'))} | {m.get(p + '_p50', '?')} | {m.get(p + '_p99', '?')} | "
          f"{fmt(num(m, p + '_requests'))} | {m.get(p + '_non2xx', '?')} | {m.get(p + '_sockerr', '') or '0'} | "
          f"{m.get(p + '_cpu_s', '?')} | {m.get(p + '_load', '?')} |")
    w("")
    w(f"- RSS: idle {fmt(num(m, 'herald_rss_idle_kib'), '{:.1f}', 1 / KIB_PER_MIB)} MiB, max sampled under load "
      f"{fmt(num(m, 'herald_rss_max_kib'), '{:.1f}', 1 / KIB_PER_MIB)} MiB, kernel high-water mark (VmHWM) "
      f"{fmt(num(m, 'herald_hwm_kib'), '{:.1f}', 1 / KIB_PER_MIB)} MiB, threads max {m.get('herald_threads_max', '?')}")
    if "herald_tok_pkjwt_loaded" in m:
        w(f"- private_key_jwt: {m.get('herald_tok_pkjwt_loaded')} assertions generated for the measured run, "
          f"{m.get('herald_tok_pkjwt_sent', '?')} sent, threads exhausted: {m.get('herald_tok_pkjwt_exhausted', '?')}")
    for k in ("herald_verify_basic", "herald_verify_pkjwt"):
        if k in m:
            w(f"- `{m[k]}`")
    if "herald_stop" in m:
        w(f"- shutdown: {m['herald_stop']}")
    w("")

    token_sizes(m, w)
    gate_scale(m, w)

    # ------------------------------------------------------------------ peer configurations
    w("## Peer (Glewlwyd) per configuration")
    w("")
    if not configs:
        w("Not measured (PEER_CONFIGS was empty).")
    else:
        w("| configuration | tokens/s | JWKS GETs/s | token p50 | token p99 | token non-2xx | RSS idle MiB | RSS max MiB | VmHWM MiB | token verified | loadavg before |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for c in configs:
            p = f"peer_{c}"
            if f"{p}_tokens_rps" not in m:
                w(f"| {c}: {PEER_CONFIG_DESC.get(c, c)} | failed: {m.get(p + '_error', 'see log')} | | | | | | | | | |")
                continue
            w(f"| {c}: {PEER_CONFIG_DESC.get(c, c)} | {fmt(num(m, p + '_tokens_rps'), '{:,.1f}')} | "
              f"{fmt(num(m, p + '_jwks_rps'))} | {m.get(p + '_tok_p50', '?')} | {m.get(p + '_tok_p99', '?')} | "
              f"{m.get(p + '_tok_non2xx', '?')} | {fmt(num(m, p + '_rss_idle_kib'), '{:.1f}', 1 / KIB_PER_MIB)} | "
              f"{fmt(num(m, p + '_rss_max_kib'), '{:.1f}', 1 / KIB_PER_MIB)} | "
              f"{fmt(num(m, p + '_hwm_kib'), '{:.1f}', 1 / KIB_PER_MIB)} | {m.get(p + '_verify', '?')} | "
              f"{m.get(p + '_load', '?')} |")
    w("")

    # ------------------------------------------------------------------ verdict
    failures = [x.strip() for x in m.get("failures", "").split(";") if x.strip()]
    w("## Verdict")
    w("")
    if failures:
        w("**BENCH RUN FAILED** — the numbers above are not trustworthy:")
        for f_ in failures:
            w(f"- **{f_}**")
    else:
        w("Bench run valid: no non-2xx answers in Herald's runs; Herald's tokens (and the peer's, when measured) "
          "verified against their JWKS.")
    misses = [lbl for lbl, st in results if "MISS" in st or "FAIL" in st]
    w("")
    w(f"Targets: {sum(1 for _, s in results if s == 'PASS')} PASS, {len(misses)} MISS/FAIL, "
      f"{sum(1 for _, s in results if s == 'n/a')} n/a.")
    w("")
    w(f"<!-- RESULT failures={len(failures)} misses={len(misses)} -->")
    print("\n".join(out))
    if json_out:
        with open(json_out, "w") as fh:
            json.dump(build_json(m, rounds, failures), fh, indent=1, sort_keys=True)
            fh.write("\n")


def token_sizes(m, w):
    """Issue 12 item 2: bytes of the access token per part and per claim (bench/token_size.py)."""
    for kind, name in (("basic", "client_secret_basic"), ("pkjwt", "private_key_jwt")):
        p = f"token_{kind}"
        if num(m, f"{p}_bytes") is None:
            continue
        w(f"## Access token size ({name})")
        w("")
        w(f"{fmt(num(m, p + '_bytes'))} bytes: header {fmt(num(m, p + '_header_bytes'))} (base64url), payload "
          f"{fmt(num(m, p + '_payload_bytes'))}, signature {fmt(num(m, p + '_signature_bytes'))}, 2 dots. Per claim: the "
          f"bytes the claim's `\"name\":value,` adds to the compact JSON payload, and its share of the base64url "
          f"payload (4/3 of that).")
        w("")
        w("| claim | JSON bytes | base64url bytes | share of token |")
        w("|---|---:|---:|---:|")
        pre = f"{p}_claim_"
        sizes = {k[len(pre):-len("_bytes")]: num(m, k) or 0 for k in m if k.startswith(pre) and k.endswith("_bytes")}
        total = num(m, p + "_bytes")
        for claim in sorted((c for c in sizes if "." not in c), key=lambda c: -sizes[c]):
            n = sizes[claim]
            w(f"| `{claim}` | {fmt(n)} | {fmt(n * 4 / 3)} | {n * 4 / 3 / total * 100:.0f} % |")
            for member in sorted((c for c in sizes if c.startswith(claim + ".")), key=lambda c: -sizes[c]):
                n = sizes[member]
                w(f"| ↳ `{member}` | {fmt(n)} | {fmt(n * 4 / 3)} | {n * 4 / 3 / total * 100:.0f} % |")
        off = num(m, p + "_claims_sum_minus_payload_bytes")
        if off:
            w("")
            w(f"(the per-claim sums differ from the payload by {off:+.0f} bytes: JSON escaping differs between "
              f"Herald's writer and Python's)")
        w("")


def gate_scale(m, w):
    """Issue 12 item 5: gate and /api/verify at each agent count (scripts/bench-gate.sh)."""
    counts = sorted({int(k.split("_")[1]) for k in m if k.startswith("gate_") and k.endswith("_agents")})
    if not counts:
        return
    w("## MCP gate and /api/verify by number of agents (scripts/bench-gate.sh)")
    w("")
    w("| agents | seed s | herald start s | gate decisions/s | gate p99 | /api/verify/s | verify p99 | gate/s, 1 change/s | its p99 | one change, ms median / max | RSS idle MiB | RSS max MiB | store MiB |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in counts:
        p = f"gate_{n}"
        w(f"| {n:,} | {fmt(num(m, p + '_seed_seconds'), '{:.1f}')} | {fmt(num(m, p + '_start_seconds'), '{:.1f}')} | "
          f"{fmt(num(m, p + '_gate_rps'))} | {m.get(p + '_gate_p99', '?')} | {fmt(num(m, p + '_verify_rps'))} | "
          f"{m.get(p + '_verify_p99', '?')} | {fmt(num(m, p + '_gate_changing_rps'))} | {m.get(p + '_gate_changing_p99', '?')} | "
          f"{fmt(num(m, p + '_event_ms'), '{:,.1f}')} / {fmt(num(m, p + '_event_ms_max'), '{:,.1f}')} | "
          f"{fmt(num(m, p + '_rss_idle_kib'), '{:.1f}', 1 / KIB_PER_MIB)} | "
          f"{fmt(num(m, p + '_rss_max_kib'), '{:.1f}', 1 / KIB_PER_MIB)} | {fmt(num(m, p + '_store_mib'))} |")
    w("")
    w("The gate asks about agent-treasury (a directory agent; ALLOW; every decision audited); /api/verify asks "
      "about seeded passports picked at random, so its lookups spread over all agents. \"1 change/s\": the same "
      "gate run while one outcome report a second changes a lifecycle record.")
    w("")


if __name__ == "__main__":
    main()
