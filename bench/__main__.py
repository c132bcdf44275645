"""`make bench` / `python -m bench [name ...]`: run every bench/*_bench.py (or the named ones).

Each module has a ``main()`` that builds its own large data set in a scratch database, measures,
and writes its results under bench/results/. Benchmarks run on demand, never in `make test`.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = [m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench")]
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    if not wanted:
        print("no benchmark matches", argv or "(none found)")
        return 1
    status = 0
    for name in sorted(wanted):
        print(f"== {name}")
        result = importlib.import_module(f"bench.{name}").main()
        status = max(status, result if isinstance(result, int) else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
