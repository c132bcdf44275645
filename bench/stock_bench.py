"""Stock benchmark: 400 items x 5 locations, 300k movements. Times the overview page, the
item page (p50/p95 over repeated requests, with query counts) and ``stock verify``; writes
bench/results/stock.md and stock.json.

    .venv/bin/python -m bench.stock_bench            # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python -m bench.stock_bench
"""
from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

RESULTS = Path(__file__).parent / "results"
RUNS = 60


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main(items: int = 400, locations: int = 5, movements: int = 300_000) -> dict:
    from flask_migrate import upgrade

    from bench.stock_data import generate
    from logistics.app import create_app
    from logistics.clock import utcnow
    from logistics.extensions import db
    from logistics.people import passwords
    from logistics.people.models import Role, User
    from logistics.stock import ledger

    instance = tempfile.mkdtemp(prefix="hn_stock_bench_")
    config = {"INSTANCE_PATH": instance, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
              "SERVER_NAME": "localhost"}
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance}/bench.sqlite"
    app = create_app(config)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            meta = sa.MetaData()
            meta.reflect(bind=engine)
            with engine.begin() as conn:
                for table in meta.tables:
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        upgrade()
        user = User(email="bench@example.org", full_name="Bench Staff", display_name="Bench", role=Role.STAFF,
                    password_hash=passwords.hash_password("bench password long enough"), approved_at=utcnow())
        db.session.add(user)
        db.session.flush()
        t0 = time.perf_counter()
        info = generate(db.session, items=items, locations=locations, movements=movements, by_id=user.id)
        db.session.commit()
        load_s = time.perf_counter() - t0
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        dialect = engine.dialect.name
        balances = db.session.scalar(sa.text("SELECT count(*) FROM stock_balance"))

    counts = {"n": 0}

    def count(*_a, **_k):
        counts["n"] += 1

    client = app.test_client()
    r = client.post("/login", data={"email": "bench@example.org", "password": "bench password long enough"})
    assert r.status_code == 302, r.status_code
    rng = random.Random(1)

    def measure(url_for_run):
        times, queries = [], []
        for i in range(RUNS + 5):
            url = url_for_run(i)
            counts["n"] = 0
            sa.event.listen(engine, "before_cursor_execute", count)
            t = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t) * 1000
            sa.event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, (url, response.status_code)
            if i >= 5:  # warm-up
                times.append(elapsed)
                queries.append(counts["n"])
        return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
                "max_ms": round(max(times), 1), "queries": sorted(set(queries))}

    ids = info["item_ids"]
    overview = measure(lambda i: "/stock/" if i % 2 else "/stock/?page=2")
    overview_search = measure(lambda i: "/stock/?q=item+01&location_id=1")
    item_page = measure(lambda i: f"/stock/items/{rng.choice(ids)}")
    item_page_2 = measure(lambda i: f"/stock/items/{rng.choice(ids)}?page=5")

    verify_times = []
    with app.app_context():
        for _ in range(3):
            t = time.perf_counter()
            result = ledger.verify(db.session)
            verify_times.append((time.perf_counter() - t) * 1000)
            db.session.rollback()
        assert not result.differences
        checked = result.checked
        counts["n"] = 0
        sa.event.listen(engine, "before_cursor_execute", count)
        ledger.verify(db.session)
        sa.event.remove(engine, "before_cursor_execute", count)
        verify_queries = counts["n"]
    env = dict(os.environ, INSTANCE_PATH=instance)
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{instance}/bench.sqlite"
    t = time.perf_counter()
    cli = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "stock", "verify"], env=env,
                         capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    cli_ms = (time.perf_counter() - t) * 1000

    out = {
        "database": dialect,
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "data": {"items": items, "locations": locations, "lots": info["lots"], "movements": info["movements"],
                 "balances": balances, "bulk_load_s": round(load_s, 1)},
        "overview": overview, "overview_search_location": overview_search,
        "item_page": item_page, "item_page_history_page_5": item_page_2,
        "verify": {"checked": checked, "p50_ms": round(statistics.median(verify_times), 1),
                   "max_ms": round(max(verify_times), 1), "queries": verify_queries,
                   "cli_exit": cli.returncode, "cli_wall_ms_incl_startup": round(cli_ms),
                   "cli_output": cli.stdout.strip().splitlines()[:2]},
        "target": "overview and item page p95 <= 50 ms; query counts independent of data size",
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
    }
    RESULTS.mkdir(exist_ok=True)
    suffix = "" if dialect == "sqlite" else f"-{dialect}"
    (RESULTS / f"stock{suffix}.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [f"# Stock benchmark ({dialect})", "",
             f"Machine: {out['machine']}. Data: {items} items x {locations} locations, {info['lots']} lots, "
             f"{info['movements']:,} movements, {balances:,} balance rows (bulk load {load_s:.1f} s).", "",
             f"{RUNS} requests each after 5 warm-up requests, through the Flask test client as a logged-in staff "
             "member (full request: session, access check, queries, template).", "",
             "| page | p50 ms | p95 ms | max ms | SQL statements per request |", "| --- | ---: | ---: | ---: | --- |"]
    for name, key in [("Overview, pages 1 and 2 (100 items each)", "overview"),
                      ("Overview, search + one location", "overview_search_location"),
                      ("Item page (balances, chart, history page 1)", "item_page"),
                      ("Item page, history page 5", "item_page_history_page_5")]:
        m = out[key]
        query_counts = ", ".join(map(str, m["queries"]))
        lines.append(f"| {name} | {m['p50_ms']} | {m['p95_ms']} | {m['max_ms']} | {query_counts} |")
    v = out["verify"]
    lines += ["", f"`stock verify`: checked {v['checked']:,} balances against {info['movements']:,} movements; "
              f"p50 {v['p50_ms']} ms, max {v['max_ms']} ms in process ({v['queries']} SQL statements); the CLI "
              f"command took {v['cli_wall_ms_incl_startup']} ms wall time including app start-up, exit code "
              f"{v['cli_exit']}.", "", f"Target: {out['target']}.", "",
              f"Load average when the run ended: {out['load_average_at_end']} (other work shares this machine, "
              "so the p95 and max columns carry its noise).", ""]
    (RESULTS / f"stock{suffix}.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return out


if __name__ == "__main__":
    main()
