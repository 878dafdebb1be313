#!/usr/bin/env python3
"""Imports every third-party module that the Python tests in the given directories import.

    .venv/bin/python scripts/check-test-imports.py Tests/interop Tests/setup bench scripts

The modules are read from the test files themselves (``import x`` and ``from x import y`` at
any depth), so a test that starts using a new package fails here, at set-up, with the
package's name, instead of at collection. Standard-library modules and the given directories'
own modules are left out. Exit status 1 names each module that does not import, and why.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path


def local_modules(directory: Path) -> set[str]:
    return {p.stem for p in directory.glob("*.py")} | {p.name for p in directory.iterdir() if p.is_dir()}


def imported_modules(directory: Path, local: set[str]) -> dict[str, str]:
    """Top-level module name -> the first file that imports it, less the modules in `local`."""
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in local or top in sys.stdlib_module_names or top == "__future__":
                    continue
                found.setdefault(top, str(path))
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    directories = [Path(arg) for arg in argv if Path(arg).is_dir()]
    # A script may put another directory on sys.path (scripts/soak.py imports Tests/interop's
    # modules): the modules of every directory given are local to all of them.
    local = set().union(*(local_modules(d) for d in directories))
    wanted: dict[str, str] = {}
    for directory in directories:
        for name, where in imported_modules(directory, local).items():
            wanted.setdefault(name, where)
    failures = []
    for name, where in sorted(wanted.items()):
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - any failure to import is the finding
            failures.append(f"  {name} (imported by {where}): {type(error).__name__}: {error}")
    if failures:
        print(f"{sys.executable} cannot import {len(failures)} module(s) the tests need:", file=sys.stderr)
        print("\n".join(failures), file=sys.stderr)
        return 1
    print(f"{sys.executable}: all {len(wanted)} third-party modules the tests import load "
          f"({', '.join(sorted(wanted))})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
