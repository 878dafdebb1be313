#!/usr/bin/env python3
"""Render the markdown report of a `make bench` run from its metrics file.

Usage: report.py METRICS_FILE  (key=value lines written by scripts/bench.sh; a later line
wins). Prints markdown to stdout. Exit status 0 always; the verdicts are in the text and in
the trailing `RESULT ...` lines that bench.sh reads (they are HTML comments in the file).

To add a row: measure it in scripts/bench.sh (a function that calls `record`), then add an
entry to ROWS below. Keys: `herald` = metric key of Herald's value; `peer` = the per-configuration
key suffix (the peer's value for configuration C is `peer_<C>_<suffix>`), or None;
`best` = "max" (throughput) or "min" (memory, latency): which configuration is the peer's best;
`target` = ("ratio_ge", k) herald >= k x peer best | ("abs_lt", v) herald < v | None;
`scale`/`unit`/`fmt` for display; `errors` = keys whose non-zero value makes the row FAIL.
"""
import sys

KIB_PER_MIB = 1024.0

ROWS = [
    dict(label="tokens/s, client_credentials, client_secret_basic",
         herald="herald_tok_basic_rps", peer="tokens_rps", best="max",
         target=("ratio_ge", 10), fmt="{:,.0f}", errors=["herald_tok_basic_non2xx", "herald_tok_basic_warm_non2xx"]),
    dict(label="tokens/s, client_credentials, private_key_jwt (peer: client_secret_basic)",
         herald="herald_tok_pkjwt_rps", peer="tokens_rps", best="max",
         target=("ratio_ge", 10), fmt="{:,.0f}", errors=["herald_tok_pkjwt_non2xx", "herald_tok_pkjwt_warm_non2xx"],
         lower_bound="herald_tok_pkjwt_exhausted"),
    dict(label="JWKS GETs/s",
         herald="herald_jwks_rps", peer="jwks_rps", best="max",
         target=("ratio_ge", 1.5), fmt="{:,.0f}", errors=["herald_jwks_non2xx"]),
    dict(label="RSS idle, MiB (after start + a few requests)",
         herald="herald_rss_idle_kib", peer="rss_idle_kib", best="min",
         target=("abs_lt", 64), scale=1 / KIB_PER_MIB, fmt="{:.1f}"),
    dict(label="RSS max under load, MiB (VmRSS every 0.5 s)",
         herald="herald_rss_max_kib", peer="rss_max_kib", best="min",
         target=("abs_lt", 128), scale=1 / KIB_PER_MIB, fmt="{:.1f}"),
    # Lifecycle (issue 5): no peer does these; absolute rates, each request audited.
    dict(label="MCPS passports issued/s (agent's own token; stored + audited)",
         herald="herald_passport_rps", fmt="{:,.0f}", errors=["herald_passport_non2xx", "herald_passport_no_token"]),
    dict(label="MCP gate decisions/s (HTTP Basic caller; audited)",
         herald="herald_gate_rps", fmt="{:,.0f}", errors=["herald_gate_non2xx", "herald_gate_no_token"]),
    dict(label="offline JWT passport verifications/s (vs raw ES256 verify, same process)",
         herald="verify_jwt_passport_per_s", self_ref="verify_raw_es256_per_s", self_label="raw ES256",
         target=("self_ratio_ge", 0.8), fmt="{:,.0f}"),
    dict(label="offline MCPS passport verifications/s (vs raw ES256 verify, same process)",
         herald="verify_mcps_passport_per_s", self_ref="verify_raw_es256_per_s", self_label="raw ES256",
         target=("self_ratio_ge", 0.8), fmt="{:,.0f}"),
    # Federation (issue 6): a trust bundle of 100 000 agents, CPU only, best of 3.
    dict(label="trust bundle, 100 000 agents: build + sign, s",
         herald="federation_build_sign_seconds", target=("abs_lt", 1), fmt="{:.3f}"),
    dict(label="trust bundle, 100 000 agents: verify + apply, s",
         herald="federation_verify_apply_seconds", target=("abs_lt", 1), fmt="{:.3f}"),
    dict(label="trust bundle, 100 000 agents: size of the full bundle, MiB",
         herald="federation_full_bytes", scale=1 / (1024 * KIB_PER_MIB), fmt="{:.1f}"),
    dict(label="trust bundle, 100 000 agents: size of a delta with 1 % changed, KiB",
         herald="federation_delta_bytes", scale=1 / KIB_PER_MIB, fmt="{:,.0f}"),
    # Issue 11: upstream IdP exchange vs local client_credentials (one herald, same wrk
    # settings), and Agent-Signature through the relying-party middleware vs raw ES256.
    dict(label="upstream IdP token exchanges/s (vs client_credentials, same herald)",
         herald="upstream_exchange_rps", self_ref="upstream_cc_rps", self_label="client_credentials",
         target=("self_ratio_ge", 0.7), fmt="{:,.0f}"),
    dict(label="Agent-Signature verifications/s in AgentTrustMiddleware (vs raw ES256 verify, same process)",
         herald="agent_signature_middleware_per_s", self_ref="agent_signature_raw_es256_per_s",
         self_label="raw ES256", target=("self_ratio_ge", 0.8), fmt="{:,.0f}"),
    # Against Herald itself: the same client_secret_basic run with the audit log off.
    dict(label="tokens/s with the durable audit log (vs herald --audit-log off)",
         herald="herald_tok_basic_rps", self_ref="herald_tok_noaudit_rps",
         target=("self_ratio_ge", 0.8), fmt="{:,.0f}", errors=["herald_tok_noaudit_non2xx"]),
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


def fmt(v, f="{:,.0f}", scale=1.0):
    return "n/a" if v is None else f.format(v * scale)


def main():
    m = load(sys.argv[1])
    configs = [c for c in m.get("peer_configs", "").split() if c]
    measured = [c for c in configs if num(m, f"peer_{c}_tokens_rps") is not None]
    out, results = [], []
    w = out.append

    w(f"# Herald benchmark — {m.get('stamp', '?')}")
    w("")
    w(f"- herald: `{m.get('herald_bin', '?')}` ({m.get('herald_build', '?')} build, git {m.get('git_rev', '?')})")
    w(f"- peer: {m.get('peer_version', 'n/a')}, configurations: {' '.join(configs) or 'none (PEER_CONFIGS empty)'}")
    w(f"- load: wrk {m.get('wrk_version', '?')}, {m.get('threads')} threads, {m.get('conns')} connections, "
      f"{m.get('duration')} s per run (+{m.get('warmup')} s discarded warm-up before token runs), 127.0.0.1 only")
    w(f"- machine: {m.get('nproc', '?')} cores ({m.get('cpu_model', '?')}); loadavg at start {m.get('load_start', '?')}, "
      f"at end {m.get('load_end', '?')}")
    w(f"- at start: {m.get('top_start', '?')}; at end: {m.get('top_end', '?')}")
    if m.get("machine_busy") == "1":
        w(f"- **machine was busy at start ({m.get('top_start', '?')}): numbers are noisy, "
          f"re-run on a quiet machine before drawing conclusions**")
    w("")

    # ------------------------------------------------------------------ main table
    w("| metric | herald | peer best (configuration) | ratio herald/peer | target | status |")
    w("|---|---:|---|---:|---|---|")
    for r in ROWS:
        scale, f = r.get("scale", 1.0), r.get("fmt", "{:,.0f}")
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
        lb = r.get("lower_bound") and (num(m, r["lower_bound"]) or 0) > 0
        hs = ("≥ " if lb else "") + fmt(hv, f, scale)
        ps = f"{fmt(pv, f, scale)} ({pc})" if pv is not None else "n/a"
        rs = "n/a" if ratio is None else f"{ratio:,.{1 if ratio >= 1 else 2 if ratio >= 0.01 else 4}f}×"
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
        results.append((r["label"], st))
        w(f"| {r['label']} | {hs} | {ps} | {rs} | {ts} | {st} |")
    w("")
    w("ratio = herald / peer best: higher is better for throughput; for RSS it is herald's "
      "memory as a multiple of the peer's (lower is better). Peer best = the configuration most "
      "favourable to the peer (highest throughput, lowest memory).")
    if any((num(m, r.get("lower_bound") or "") or 0) > 0 for r in ROWS):
        w("")
        w("**≥: a wrk thread ran out of pre-generated assertions; the rate is a lower bound — "
          "raise ASSERTION_RATE.**")
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
    failures = [x for x in m.get("failures", "").split(";") if x.strip()]
    w("## Verdict")
    w("")
    if failures:
        w("**BENCH RUN FAILED** — the numbers above are not trustworthy:")
        for f_ in failures:
            w(f"- **{f_.strip()}**")
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


if __name__ == "__main__":
    main()
