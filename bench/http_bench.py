"""The pages over HTTP under gunicorn (gunicorn.conf.py as deployed) on PostgreSQL, each
against a bare Flask page measured in the same runs. Writes bench/results/http.md and
http.json; `make bench` runs it.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/hopenow_bench .venv/bin/python -m bench http

The database named there is a scratch database: its tables are dropped and rebuilt (a
DATABASE_URL is used only when its database name contains "bench"). REDIS_URL is passed on.
Two data sizes: the bench data (500 volunteers, 30,000 shifts over 3 years, 150,000 sign-ups;
400 items x 5 locations, 300,000 movements) and ten times the volunteers, shifts and sign-ups
(30 years of history at the same density: bench/http_data.py).
BENCH_QUICK=1: the first size only, fewer requests (a minute or two); BENCH_SIZES=1,10 picks
the sizes, BENCH_ROUNDS the rounds per run. Each size: three runs;
in a run every page is requested in turn, one request at a time over one keep-alive
connection per person, ``ROUNDS`` times, after warm-ups.
"""
from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 8 if QUICK else 25))
RUNS = 3
WARMUP = 3
GOAL_RATIO = 10
GOAL_P95_MS = 50
#: Said of a run whose 1-minute load average exceeded the CPUs: other work shared them.
LOADED = " — **the machine was loaded**: other work ran at the same time, so absolute times are noisy"

#: (label, role, path); ``{shift_id}``/``{item_id}`` come from the data. "bare" is the yardstick.
PAGES = [
    ("bare Flask page", "anonymous", "/_bare/"),
    ("login page (shell, anonymous)", "anonymous", "/login"),
    ("shift detail", "volunteer", "/shifts/{shift_id}"),
    ("start page, volunteer", "volunteer", "/"),
    ("week view", "volunteer", "/shifts/calendar/week"),
    ("stock overview", "staff", "/stock/"),
    ("coverage board", "coordinator", "/shifts/coverage"),
    ("my shifts", "volunteer", "/shifts/mine"),
    ("stock item page", "staff", "/stock/items/{item_id}"),
    ("stock history (page 5)", "staff", "/stock/items/{item_id}?page=5"),
    ("start page, coordinator", "coordinator", "/"),
    ("open shifts", "volunteer", "/shifts/open"),
    ("month view", "volunteer", "/shifts/calendar/month"),
]


def database_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        url = os.environ.get("DATABASE_URL", "")
        if "bench" not in urllib.parse.urlparse(url).path:
            return None
    return url if url.startswith("postgresql") else None


class Client:
    """One keep-alive connection with its own cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes, float]:
        headers = {"Accept-Language": "en", "User-Agent": "hopenow-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        ms = (time.perf_counter() - t0) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                k, _, rest = value.partition("=")
                self.cookies[k] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, ms

    def login(self, email: str, password: str) -> None:
        status, _h, page, _ms = self.request("GET", "/login")
        assert status == 200, status
        fields = dict(re.findall(rb'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
        form = {k.decode(): v.decode() for k, v in fields.items()} | {"email": email, "password": password}
        status, headers, _b, _ms = self.request("POST", "/login", urllib.parse.urlencode(form))
        assert status == 302 and "/login" not in headers.get("location", ""), (status, headers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, instance: str, port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, INSTANCE_PATH=instance, BIND=f"127.0.0.1:{port}",
               SECRET_KEY="bench-secret-key-not-for-production", BASE_URL=f"http://127.0.0.1:{port}")
    env.pop("WEB_CONCURRENCY", None)
    env.pop("GUNICORN_THREADS", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                             "bench.http_app:app"], cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(240):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/_bare/")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {log}")
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer: see {log}")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def measure(port: int, who: dict, rounds: int) -> dict:
    from bench.http_data import PASSWORD

    clients = {"anonymous": Client(port)}
    for role in ("volunteer", "coordinator", "staff"):
        clients[role] = Client(port)
        clients[role].login(who[role], PASSWORD)
    pages = [(label, role, path.format(**who)) for label, role, path in PAGES]
    samples = {label: {"ms": [], "cpu": [], "queries": [], "bytes": 0, "runs": []} for label, *_ in pages}
    for _run in range(RUNS):
        for label, role, path in pages:  # warm-ups: templates, caches, connections
            for _ in range(WARMUP):
                status, *_rest = clients[role].request("GET", path)
                assert status == 200, (label, status)
        run = {label: [] for label, *_ in pages}
        for _ in range(rounds):
            for label, role, path in pages:
                status, headers, body, ms = clients[role].request("GET", path)
                assert status == 200, (label, path, status)
                sample = samples[label]
                sample["ms"].append(ms)
                run[label].append(ms)
                sample["cpu"].append(float(headers.get("x-bench-cpu-ms", "nan")))
                sample["queries"].append(int(headers.get("x-bench-queries", -1)))
                sample["bytes"] = len(body)
        for label in run:
            samples[label]["runs"].append(statistics.median(run[label]))
    bare = samples[PAGES[0][0]]
    bare_p50 = statistics.median(bare["ms"])
    bare_cpu = statistics.median(bare["cpu"])
    out = {}
    for label, role, path in pages:
        sample = samples[label]
        p50 = statistics.median(sample["ms"])
        out[label] = {
            # The usual count (now and then a request also records the session's last use).
            "role": role, "path": path, "queries": statistics.mode(sample["queries"]),
            "queries_max": max(sample["queries"]), "bytes": sample["bytes"],
            "p50_ms": round(p50, 2), "p95_ms": round(pct(sample["ms"], 95), 2),
            "cpu_p50_ms": round(statistics.median(sample["cpu"]), 2),
            "ratio": round(p50 / bare_p50, 1),
            "ratio_runs": [round(r / b, 1) for r, b in zip(sample["runs"], bare["runs"], strict=True)],
            "cpu_ratio": round(statistics.median(sample["cpu"]) / bare_cpu, 1),
            "requests": len(sample["ms"]),
        }
    return out


def run_size(url: str, scale: int, rounds: int) -> dict:
    from bench.http_data import generate, reset
    from logistics.app import create_app

    instance = tempfile.mkdtemp(prefix="hn_http_bench_")
    os.environ["DATABASE_URL"] = url
    app = create_app({"INSTANCE_PATH": instance})
    print(f"-- size {scale}x: building the data", flush=True)
    t0 = time.perf_counter()
    reset(app)
    who = generate(app, scale=scale)
    who["seconds"] = round(time.perf_counter() - t0, 1)
    with app.app_context():
        from logistics.extensions import db
        db.engine.dispose()
    print(f"   {who['signups']:,} sign-ups, {who['shifts']:,} shifts, {who['movements']:,} movements "
          f"in {who['seconds']} s; measuring", flush=True)
    port = free_port()
    log = Path(instance) / "gunicorn.log"
    proc = start_gunicorn(url, instance, port, log)
    try:
        pages = measure(port, who, rounds)
    finally:
        stop_gunicorn(proc)
    load = os.getloadavg()
    return {"scale": scale, "data": {k: v for k, v in who.items() if k not in ("volunteer", "coordinator", "staff")},
            "pages": pages, "load_after": [round(x, 1) for x in load]}


def write(results: list[dict]) -> str:
    now = dt.datetime.now(dt.UTC)
    base = results[0]
    lines = [
        "# HTTP benchmark",
        "",
        f"Run {now:%Y-%m-%d %H:%M} UTC; `make bench` (bench/http_bench.py): gunicorn as configured "
        f"(gunicorn.conf.py: gthread, {os.cpu_count()} CPUs), PostgreSQL, Python {platform.python_version()}; "
        f"one request at a time over one keep-alive connection per person; {RUNS} interleaved runs of "
        f"{ROUNDS} rounds (every page once per round) after warm-ups{' (BENCH_QUICK)' if QUICK else ''}.",
        "",
        f"Load average when the first size ended (the benchmark itself included): "
        f"{' / '.join(str(x) for x in base['load_after'])} on {os.cpu_count()} CPUs"
        f"{LOADED if base['load_after'][0] > (os.cpu_count() or 1) else ''}. The ratio to the bare Flask page "
        "measured in the same runs is the figure to read (absolute times move with the machine). "
        "\"CPU\" is the server thread's CPU time for the request (less sensitive to the load).",
        "",
    ]
    for res in results:
        d = res["data"]
        bare = res["pages"]["bare Flask page"]
        lines += [
            f"## {res['scale']}x data: {d['volunteers']:,} volunteers, {d['shifts']:,} shifts, "
            f"{d['signups']:,} sign-ups; {d['items']} items x {d['locations']} locations, "
            f"{d['movements']:,} movements (built in {d['seconds']} s)",
            "",
            f"Bare Flask page (one 20-row query, a small template): p50 {bare['p50_ms']} ms.",
            "",
            "| page | queries | p50 ms | p95 ms | × bare page (per run) | CPU p50 ms | CPU × bare | KB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, r in res["pages"].items():
            flag = "" if r["ratio"] <= GOAL_RATIO and r["p95_ms"] <= GOAL_P95_MS else " ⚠"
            lines.append(f"| {label} | {r['queries']} | {r['p50_ms']} | {r['p95_ms']} | {r['ratio']} "
                         f"({', '.join(str(x) for x in r['ratio_runs'])}){flag} | {r['cpu_p50_ms']} | "
                         f"{r['cpu_ratio']} | {r['bytes'] / 1024:.0f} |")
        lines.append("")
    if len(results) > 1:
        a, b = results[0]["pages"], results[1]["pages"]
        lines += [f"## {results[0]['scale']}x against {results[1]['scale']}x", "",
                  "| page | queries | p50 ms | p50 ms (10x) | CPU p50 ms | CPU p50 ms (10x) |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for label in a:
            q = a[label]["queries"] if a[label]["queries"] == b[label]["queries"] else \
                f"{a[label]['queries']} → {b[label]['queries']}"
            lines.append(f"| {label} | {q} | {a[label]['p50_ms']} | {b[label]['p50_ms']} | "
                         f"{a[label]['cpu_p50_ms']} | {b[label]['cpu_p50_ms']} |")
        lines.append("")
    lines += [f"Goal (issue 13): every page's p50 within {GOAL_RATIO}× of the bare page, p95 under "
              f"{GOAL_P95_MS} ms, the anonymous page within 2×; ⚠ marks a page outside the first two.", ""]
    text = "\n".join(lines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "http-quick" if QUICK else "http"
    (RESULTS / f"{name}.md").write_text(text)
    (RESULTS / f"{name}.json").write_text(json.dumps({"run_at": now.isoformat(timespec="seconds"), "quick": QUICK,
                                                      "rounds": ROUNDS, "runs": RUNS, "cpus": os.cpu_count(),
                                                      "sizes": results}, indent=1))
    return text


def main() -> int:
    url = database_url()
    if not url:
        print("The HTTP benchmark needs a scratch PostgreSQL database (its tables are dropped):\n"
              "  BENCH_DATABASE_URL=postgresql://user@host/hopenow_bench make bench")
        return 2
    sizes = [int(x) for x in os.environ.get("BENCH_SIZES", "1" if QUICK else "1,10").split(",")]
    results = [run_size(url, scale, ROUNDS) for scale in sizes]
    print(write(results))
    if not QUICK:
        from bench import readme_table

        readme_table.main()  # README.md shows the latest full run
    return 0


if __name__ == "__main__":
    sys.exit(main())
