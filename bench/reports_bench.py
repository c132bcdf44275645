"""Benchmark the annual report over five years of data.

    .venv/bin/python -m bench.reports_bench            # SQLite in a scratch folder
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.reports_bench

Builds the shifts benchmark's data (500 volunteers, 30,000 shifts, 150,000 sign-ups, marked
attended), a tally with referrals for every ended street outreach, hotline and prison-visit
shift, and 100,000 issue movements of food packs, medicine, tests, clothing and travel-card
top-ups spread over five years; then times the report for one year of that history (the last
full year: screen, print, CSV) and for the whole five years, through the real app, and counts
its SQL statements on a small and on the full data set.
Target: p95 ≤ 200 ms, the same statement count whatever the data. Results go to
bench/results/reports.md (reports-postgresql.md on PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.shifts_bench import PASSWORD, generate, make_app, reset, statements_of  # noqa: E402

RUNS = 30


def add_report_data(app, *, movements: int, seed: int = 11) -> dict:
    from logistics.clock import utcnow
    from logistics.extensions import db
    from logistics.outreach import partners
    from logistics.outreach.models import TALLY_KINDS, Partner, Referral, Tally
    from logistics.shifts.models import Activity, Shift, Signup
    from logistics.stock.models import Category, Item, Location, Lot, Movement

    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        s = db.session
        s.execute(sa.update(Signup).values(attended=True))
        partners.seed(s)
        partner_ids = list(s.scalars(sa.select(Partner.id)))
        ended = s.scalars(sa.select(Shift.id).join(Activity).where(Activity.kind.in_(TALLY_KINDS),
                                                                   Shift.ends_at <= now)).all()
        s.execute(sa.insert(Tally), [dict(shift_id=sid, women=rng.randint(0, 9), men=rng.randint(0, 2),
                                          transgender=rng.randint(0, 1), not_stated=rng.randint(0, 2),
                                          new_contacts=0, calls=rng.randint(0, 5), visits=rng.randint(0, 2),
                                          note="", created_at=now, updated_at=now) for sid in ended])
        tally_ids = list(s.scalars(sa.select(Tally.id)))
        s.execute(sa.insert(Referral), [dict(tally_id=t, partner_id=p, count=rng.randint(1, 3))
                                        for t in tally_ids for p in rng.sample(partner_ids, k=rng.randint(0, 2))])
        store = Location(name="Storeroom")
        s.add(store)
        items = [Item(name=n, category=c, unit="piece") for n, c in [
            ("Food pack (standard)", Category.FOOD_PACK), ("Food pack (family)", Category.FOOD_PACK),
            ("Paracetamol 500 mg", Category.MEDICINE), ("COVID-19 self-test", Category.TEST_KIT),
            ("Socks", Category.CLOTHING), ("Travel-card top-up 100 DKK", Category.VOUCHER),
            ("Supermarket voucher", Category.VOUCHER)]]
        s.add_all(items)
        s.flush()
        lots = [Lot(item_id=i.id) for i in items]
        s.add_all(lots)
        s.flush()
        span = int(5 * 365.25 * 24 * 3600)
        rows = [dict(kind="issue", item_id=lot.item_id, lot_id=lot.id, quantity=rng.randint(1, 5),
                     from_location_id=store.id, at=now - dt.timedelta(seconds=rng.randrange(span)))
                for lot in (rng.choice(lots) for _ in range(movements))]
        for i in range(0, len(rows), 5000):
            s.execute(sa.insert(Movement), rows[i:i + 5000])
        s.commit()
        if s.get_bind().dialect.name == "sqlite":
            s.execute(sa.text("ANALYZE"))
        else:
            # VACUUM as autovacuum would after a bulk load: it sets the visibility map, without
            # which PostgreSQL cannot use an index-only scan.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        s.commit()
        return {"tallies": len(tally_ids), "movements": movements}


def pages() -> list[tuple[str, str]]:
    from logistics.clock import today

    last = today()
    year = f"start={last.year - 1}-01-01&end={last.year - 1}-12-31"
    five = f"start={last.replace(year=last.year - 4, month=1, day=1).isoformat()}&end={last.isoformat()}"
    out = []
    for label, q in (("last year", year), ("5 years", five)):
        out += [(f"Annual report, {label}", f"/reports/annual?{q}"),
                (f"Print view, {label}", f"/reports/annual/print?{q}"), (f"CSV, {label}", f"/reports/annual.csv?{q}")]
    return out


def measure(app, email: str, runs: int = RUNS) -> dict:
    from logistics.extensions import db

    with app.app_context():
        engine = db.engine
        urls = pages()
    out = {}
    client = app.test_client()
    r = client.post("/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], r.status_code
    for label, url in urls:
        for _ in range(3):
            assert client.get(url).status_code == 200
        statements = statements_of(engine, client.get, url)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[label] = {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
                      "max": times[-1], "queries": len(statements)}
    return out


def main() -> int:
    instance = tempfile.mkdtemp(prefix="reports-bench-")
    app = make_app(instance)
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"backend: {backend}; instance {instance}")
    reset(app)
    who = generate(app, volunteers=20, shifts=300, signups=1500)
    add_report_data(app, movements=500)
    small = measure(app, who["coordinator"], runs=5)
    reset(app)
    t0 = time.perf_counter()
    who = generate(app, volunteers=500, shifts=30_000, signups=150_000)
    extra = add_report_data(app, movements=100_000)
    gen_seconds = time.perf_counter() - t0
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    large = measure(app, who["coordinator"])
    lines = [
        "# Reports benchmark", "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {backend}, Python {platform.python_version()}; "
        f"`bench/reports_bench.py` ({RUNS} timed requests per page after 3 warm-ups, through the full app).", "",
        f"Data: {who['volunteers']} volunteers, {who['shifts']:,} shifts, {who['signups']:,} attended sign-ups, "
        f"{extra['tallies']:,} tallies with referrals, {extra['movements']:,} issue movements over 5 years; "
        f"generated in {gen_seconds:.0f} s. The report covers the last full year (12 months) of that history, "
        "and the five years to today (60 months).", "",
        "| page | p50 ms | p95 ms | max ms | queries (full data) | queries (small data) | p95 ≤ 200 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    ok = True
    for label, _url in pages_labels(app):
        r, q_small = large[label], small[label]["queries"]
        passed = r["p95"] <= 200 and r["queries"] == q_small
        ok &= passed
        lines.append(f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['queries']} | {q_small} | "
                     f"{'yes' if passed else 'NO'} |")
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    lines += ["", f"Machine load average (1 / 5 / 15 min) before the timed requests: {load_before[0]:.1f} / "
              f"{load_before[1]:.1f} / {load_before[2]:.1f}, after: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
              f"on {os.cpu_count()} CPUs"
              f"{' (other work was running on the same machine)' if load_before[0] > (os.cpu_count() or 1) else ''}.",
              ""]
    out = ROOT / "bench" / "results" / ("reports.md" if backend == "SQLite" else "reports-postgresql.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if ok else 1


def pages_labels(app):
    with app.app_context():
        return pages()


if __name__ == "__main__":
    sys.exit(main())
