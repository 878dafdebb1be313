#!/usr/bin/env python3
"""Compare two `make bench` results (bench/results/*.json, written by bench/report.py).

Usage: compare.py OLD.json NEW.json [--threshold PERCENT] [--old-name TEXT] [--new-name TEXT]

Compares the "compared" member of both files: every ratio (Herald against the peer's best
configuration, or against Herald itself: audit on/off, 1 000 000 vs 10 000 agents, ...) and
the absolute figures that do not depend on the machine's speed (RSS, token size). Ratios are
compared rather than rates because both sides of a ratio ran in the same run on the same
noisy machine. Each entry says which direction is better; an entry is a regression when it
got worse by more than PERCENT (default 15): a "higher is better" value below old × 0.85, a
"lower is better" value above old × 1.15.

Prints one line per entry (old → new, change) and then the regressions. Exit status: 0 no
regression, 1 at least one regression, 2 a file could not be read or is not a bench result.
"""
import json
import sys

SCHEMA = "herald-bench/1"


class BenchFileError(Exception):
    """A file that is not a readable bench result."""


def load(path):
    try:
        with open(path) as fh:
            doc = json.load(fh)
    except OSError as e:
        raise BenchFileError(f"{path}: cannot be read ({e.strerror})") from e
    except json.JSONDecodeError as e:
        raise BenchFileError(f"{path}: not JSON ({e})") from e
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or not isinstance(doc.get("compared"), dict):
        raise BenchFileError(f"{path}: not a bench result (expected \"schema\": \"{SCHEMA}\" and a \"compared\" "
                             f"object; write one with `make bench`)")
    return doc


def compare(old, new, threshold=15.0):
    """One dict per entry of old's or new's "compared": key, label, old, new, change (percent,
    positive = better), state = ok | regression | improved | missing (not in new) | added."""
    rows = []
    for key in sorted(set(old["compared"]) | set(new["compared"])):
        o, n = old["compared"].get(key), new["compared"].get(key)
        ref = n or o
        row = {"key": key, "label": ref.get("label", key), "kind": ref.get("kind", "ratio"),
               "better": ref.get("better", "higher"), "old": o and o.get("value"), "new": n and n.get("value"),
               "change": None}
        if o is None or row["old"] is None:
            row["state"] = "added"
        elif n is None or row["new"] is None:
            row["state"] = "missing"
        elif row["old"] == 0:
            row["state"] = "ok"
        else:
            rel = row["new"] / row["old"] - 1.0
            row["change"] = round((rel if row["better"] == "higher" else -rel) * 100.0, 1) + 0.0
            # higher is better: new < old × (1 - t); lower is better: new > old × (1 + t)
            if row["change"] < -threshold:
                row["state"] = "regression"
            elif row["change"] > threshold:
                row["state"] = "improved"
            else:
                row["state"] = "ok"
        rows.append(row)
    return rows


def show(v, kind):
    if v is None:
        return "n/a"
    return f"{v:.2f}×" if kind == "ratio" else f"{v:,.1f}"


def describe(doc, name):
    return (f"{name} (stamp {doc.get('stamp', '?')}, git {doc.get('git_rev', '?')}, {doc.get('herald_build', '?')} "
            f"build, {doc.get('rounds', 1)} round(s){'' if doc.get('valid', True) else ', INVALID RUN'})")


def main(argv):
    args, opts = [], {"--threshold": "15", "--old-name": None, "--new-name": None}
    it = iter(argv)
    for a in it:
        if a in opts:
            opts[a] = next(it, None)
        else:
            args.append(a)
    if len(args) != 2 or opts["--threshold"] is None:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        threshold = float(opts["--threshold"])
        old, new = load(args[0]), load(args[1])
    except ValueError:
        print(f"--threshold must be a number of percent (got {opts['--threshold']!r})", file=sys.stderr)
        return 2
    except BenchFileError as e:
        print(f"bench-compare: {e}", file=sys.stderr)
        return 2
    print(f"old: {describe(old, opts['--old-name'] or args[0])}")
    print(f"new: {describe(new, opts['--new-name'] or args[1])}")
    print("")
    rows = compare(old, new, threshold)
    width = max((len(r["key"]) for r in rows), default=10)
    for r in rows:
        change = "" if r["change"] is None else f"{r['change']:+.1f} % {'(better)' if r['change'] > 0 else '(worse)' if r['change'] < 0 else ''}"
        mark = {"regression": "  << REGRESSION", "missing": "  (not in new: not compared)", "added": "  (new)",
                "improved": "", "ok": ""}[r["state"]]
        print(f"  {r['key']:<{width}}  {show(r['old'], r['kind']):>10} → {show(r['new'], r['kind']):<10} "
              f"{change:<18}{r['better']} is better{mark}")
    bad = [r for r in rows if r["state"] == "regression"]
    print("")
    if bad:
        print(f"REGRESSIONS: {len(bad)} worse by more than {threshold:g} %:")
        for r in bad:
            print(f"  - {r['key']}: {r['label']}: {show(r['old'], r['kind'])} → {show(r['new'], r['kind'])} "
                  f"({r['change']:+.1f} %)")
        return 1
    print(f"No regression: nothing worse by more than {threshold:g} %.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
