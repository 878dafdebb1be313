"""The bench regression gate (issue 12): bench/report.py writes the JSON result that
scripts/bench-compare.sh compares. Synthetic metrics files only; no server, no load, no timing.

* a run whose client_secret_basic ratio to the peer fell by 30 % and whose token grew by 21 %
  is reported as two regressions (exit status 1); one that moved by less than 15 % everywhere,
  or got better, is not (exit status 0);
* "lower is better" figures (RSS as a multiple of the peer's) regress when they grow;
* three rounds give min/median/max and the median is what is compared;
* a file that is not a bench result is refused (exit status 2), naming the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "bench" / "report.py"
COMPARE = REPO / "scripts" / "bench-compare.sh"

BASE = {
    "stamp": "20261203T090000Z", "git_rev": "abc1234", "herald_build": "release", "herald_bin": "herald",
    "threads": "2", "conns": "32", "duration": "10", "warmup": "2", "peer_configs": "wal nofsync",
    "herald_tok_basic_rps": "10000", "herald_tok_basic_non2xx": "0", "herald_tok_noaudit_rps": "12000",
    "herald_jwks_rps": "60000", "herald_rss_idle_kib": "50000", "herald_rss_max_kib": "70000",
    "peer_wal_tokens_rps": "900", "peer_wal_jwks_rps": "30000", "peer_wal_rss_idle_kib": "16000",
    "peer_nofsync_tokens_rps": "1000", "peer_nofsync_jwks_rps": "40000", "peer_nofsync_rss_idle_kib": "15000",
    "token_basic_bytes": "900", "token_basic_claim_mcps_bytes": "300",
    "gate_10000_gate_rps": "4000", "gate_1000000_gate_rps": "3000", "failures": "",
}


def result(tmp: Path, name: str, *rounds: dict[str, str]) -> Path:
    """bench/report.py --json over one metrics file per round; returns the JSON's path."""
    files = []
    for i, changes in enumerate(rounds or ({},)):
        f = tmp / f"{name}-{i}.txt"
        f.write_text("".join(f"{k}={v}\n" for k, v in {**BASE, **changes}.items()))
        files.append(str(f))
    out = tmp / f"{name}.json"
    subprocess.run([sys.executable, str(REPORT), "--json", str(out), *files], check=True, capture_output=True)
    return out


def compare(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMPARE), str(old), str(new)], capture_output=True, text=True, timeout=60)


def regressions(proc: subprocess.CompletedProcess[str]) -> list[str]:
    tail = proc.stdout.split("REGRESSIONS:", 1)
    return [line.split(":")[0].strip(" -") for line in tail[1].splitlines()[1:] if line.strip()] if len(tail) > 1 else []


def test_a_fall_of_more_than_15_percent_is_caught(tmp_path: Path) -> None:
    old = result(tmp_path, "old")
    new = result(tmp_path, "new", {"herald_tok_basic_rps": "7000", "token_basic_bytes": "1090"})
    proc = compare(old, new)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # 10.0x -> 7.0x the peer (-30 %), 900 -> 1090 bytes (+21 %), and audit on/off 0.83 -> 0.58
    assert regressions(proc) == ["audit_on_off", "token_bytes_basic", "tokens_basic"], proc.stdout
    assert "10.00× → 7.00×" in proc.stdout


def test_small_moves_and_improvements_pass(tmp_path: Path) -> None:
    old = result(tmp_path, "old")
    # -10 % tokens (within 15 %), JWKS +50 %, RSS +10 %: no regression
    new = result(tmp_path, "new", {"herald_tok_basic_rps": "9000", "herald_tok_noaudit_rps": "11000",
                                   "herald_jwks_rps": "90000", "herald_rss_idle_kib": "55000"})
    proc = compare(old, new)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert regressions(proc) == []
    assert "No regression" in proc.stdout


def test_lower_is_better_regresses_when_it_grows(tmp_path: Path) -> None:
    old = result(tmp_path, "old")
    new = result(tmp_path, "new", {"herald_rss_idle_kib": "60000"})  # 3.33x -> 4.0x the peer's RSS: +20 %
    proc = compare(old, new)
    assert proc.returncode == 1
    assert regressions(proc) == ["rss_idle", "rss_idle_value"], proc.stdout


def test_rounds_give_min_median_max_and_the_median_is_compared(tmp_path: Path) -> None:
    three = result(tmp_path, "three", {"herald_tok_basic_rps": "8000"}, {"herald_tok_basic_rps": "10000"},
                   {"herald_tok_basic_rps": "12000"})
    doc = json.loads(three.read_text())
    assert doc["rounds"] == 3
    assert doc["figures"]["herald_tok_basic_rps"] == {"value": 10000.0, "runs": [8000.0, 10000.0, 12000.0],
                                                     "min": 8000.0, "median": 10000.0, "max": 12000.0}
    row = doc["rows"]["tokens_basic"]
    assert row["ratio_spread"]["min"] == 8.0 and row["ratio_spread"]["max"] == 12.0
    assert doc["compared"]["tokens_basic"]["value"] == 10.0
    assert doc["compared"]["gate_scale"] == {"kind": "ratio", "value": 0.75, "against": "10 000 agents",
                                             "better": "higher", "label": doc["compared"]["gate_scale"]["label"]}
    assert compare(result(tmp_path, "one"), three).returncode == 0


def test_a_file_that_is_not_a_result_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    proc = compare(result(tmp_path, "old"), junk)
    assert proc.returncode == 2
    assert "junk.json: not a bench result" in proc.stderr
