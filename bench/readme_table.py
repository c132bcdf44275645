"""Write the latest bench/results/http.json as the table in README.md (between the
``bench-table`` markers): ``.venv/bin/python -m bench.readme_table``."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def table(results: dict) -> str:
    sizes = results["sizes"]
    base = sizes[0]
    big = sizes[1] if len(sizes) > 1 else None
    head = "| page | queries | p50 ms | p95 ms | × bare page | CPU ms |" + (" p50 ms, 10× data |" if big else "")
    rule = "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if big else "")
    loads = base.get("load_after", [])
    load = f", load average {' / '.join(str(x) for x in loads)} after the first size" if loads else ""
    busy = ("; **a loaded machine**: other work ran at the same time, so read the ratios"
            if loads and loads[0] > results["cpus"] else "")
    lines = [f"Latest run ({results['run_at'][:16].replace('T', ' ')} UTC, {results['cpus']} CPUs{load}{busy}):",
             "", head, rule]
    for label, r in base["pages"].items():
        row = f"| {label} | {r['queries']} | {r['p50_ms']} | {r['p95_ms']} | {r['ratio']} | {r['cpu_p50_ms']} |"
        if big:
            row += f" {big['pages'][label]['p50_ms']} |"
        lines.append(row)
    return "\n".join(lines)


def main() -> int:
    results = json.loads((ROOT / "bench" / "results" / "http.json").read_text())
    readme = ROOT / "README.md"
    text = readme.read_text()
    new = re.sub(r"<!-- bench-table -->.*?<!-- /bench-table -->",
                 lambda _m: f"<!-- bench-table -->\n{table(results)}\n<!-- /bench-table -->", text, flags=re.S)
    readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
