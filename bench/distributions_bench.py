"""Distributions benchmark: the monthly plan (proposal and default counts), the 8-week
sufficiency check and the run-out forecast with its shopping list, over 1 and 5 years of
history (about 42 distributions and 24 cooking events a year, daily outreach issues of 40
items). Reports p50/p95 per call and the queries each makes at both sizes (they must be the
same: the work does not grow with the history); writes bench/results/distributions.md and .json.

    .venv/bin/python -m bench distributions           # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python -m bench distributions
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

RESULTS = Path(__file__).parent / "results"
RUNS = 40
COMPONENTS = 40


def pct(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def _generate(session, years: int, rng: random.Random) -> dict:
    """History of ``years`` years ending today, and the coming 8 weeks planned (bulk inserts)."""
    from logistics.clock import localize, today
    from logistics.cooking.models import CookingEvent, CookingStatus
    from logistics.distributions import plans
    from logistics.distributions.models import (
        Distribution,
        DistributionComponent,
        DistributionLine,
        DistributionStatus,
    )
    from logistics.stock import ledger
    from logistics.stock.models import Balance, Category, Item, Kit, KitLine, Location, Lot, Movement, MovementKind

    store = Location(name="Storeroom")
    kitchen = Location(name="Kitchen")
    session.add_all([store, kitchen])
    items = [Item(name=f"Food {i}", category=Category.FOOD, unit="kg" if i % 3 == 0 else "piece",
                  is_expiry_tracked=True, min_level=Decimal(5)) for i in range(COMPONENTS)]
    packs = [Item(name=f"Pack {i}", category=Category.FOOD_PACK, unit="pack") for i in range(2)]
    session.add_all(items + packs)
    session.flush()
    recipes = []
    for p, pack in enumerate(packs):
        kit = Kit(pack_item_id=pack.id)
        for item in items[p * 10: p * 10 + 8]:
            kit.lines.append(KitLine(item_id=item.id, quantity=Decimal(rng.randint(1, 3))))
        session.add(kit)
        recipes.append(kit)
    session.flush()
    end = today()
    start = end - dt.timedelta(days=365 * years)
    lots, balances, movements = {}, {}, []
    # One lot a quarter per item, received at the storeroom and the kitchen.
    day = start
    while day < end + dt.timedelta(days=90):
        for item in items:
            lot = Lot(item_id=item.id, code=f"{item.id}-{day.isoformat()}", expires_on=day + dt.timedelta(days=200))
            session.add(lot)
            lots.setdefault(item.id, []).append((lot, day))
        day += dt.timedelta(days=91)
    session.flush()
    for item in items:
        for lot, received in lots[item.id]:
            if received > end:
                continue
            for loc in (store, kitchen):
                movements.append(dict(kind=MovementKind.RECEIVE, item_id=item.id, lot_id=lot.id,
                                      quantity=Decimal(400), to_location_id=loc.id,
                                      at=localize(dt.datetime.combine(received, dt.time(10)))))
                balances[(item.id, lot.id, loc.id)] = Decimal(400)
    # Daily outreach issues (averaged by the forecast) from the current lot.
    day = start
    while day < end:
        for item in items[:20]:
            lot = next(lt for lt, r in reversed(lots[item.id]) if r <= day)
            if balances[(item.id, lot.id, store.id)] >= 1:
                balances[(item.id, lot.id, store.id)] -= 1
                movements.append(dict(kind=MovementKind.ISSUE, item_id=item.id, lot_id=lot.id, quantity=Decimal(1),
                                      from_location_id=store.id, reason="outreach",
                                      at=localize(dt.datetime.combine(day, dt.time(18)))))
        day += dt.timedelta(days=1)
    session.execute(sa.insert(Movement), movements)
    session.execute(sa.insert(Balance), [dict(item_id=i, lot_id=lt, location_id=loc, qty=q)
                                         for (i, lt, loc), q in balances.items()])
    ledger.copy_lot_expiry(session)
    # Completed distributions (with their copied lines) and cooking events, then the coming weeks.
    month = plans.month_start(start)
    history = 0
    while month <= plans.add_months(plans.month_start(end), 2):
        for day in plans.nth_weekdays(month, 1, (2, 4)) + plans.nth_weekdays(month, 3, (1,)):
            if day < start or day > end + dt.timedelta(weeks=9):
                continue
            done = day < end
            d = Distribution(day=day, location_id=store.id,
                             status=DistributionStatus.COMPLETED if done else DistributionStatus.PLANNED)
            for recipe in recipes:
                n = rng.randint(8, 30)
                line = DistributionLine(pack_item_id=recipe.pack_item_id, recipe_id=recipe.id, planned_packs=n,
                                        packed_packs=n if done else 0, handed_out_packs=n - 1 if done else None)
                for kl in recipe.lines:
                    line.components.append(DistributionComponent(item_id=kl.item_id, quantity=kl.quantity))
                d.lines.append(line)
            session.add(d)
            history += done
        for day in plans.nth_weekdays(month, 4, (1, 3)):
            if start <= day <= end + dt.timedelta(weeks=9):
                at = localize(dt.datetime.combine(day, dt.time(17)))
                session.add(CookingEvent(title="Meal", starts_at=at, ends_at=at + dt.timedelta(hours=3),
                                         expected_diners=12, location_id=kitchen.id,
                                         status=CookingStatus.COMPLETED if day < end else CookingStatus.PLANNED))
        month = plans.add_months(month, 1)
    session.flush()
    return {"movements": len(movements), "distributions": history}


def _measure(app, session_factory) -> dict:
    from logistics.distributions import forecast, plans, sufficiency
    from logistics.extensions import db

    out = {}
    with app.app_context():
        engine = db.engine
        counts = {"n": 0}

        def count(*_a, **_k):
            counts["n"] += 1

        def plan_call():
            months = plans.months_from(plans.add_months(plans.month_start(plans.today()), 1), 2)
            plans.propose(db.session, plans.Pattern("monthly", weekday=1, ordinals=(2, 4)), months)
            plans.average_handed_out(db.session)

        calls = {"plan": plan_call, "sufficiency": lambda: sufficiency.check(db.session),
                 "forecast": lambda: forecast.shopping_list(db.session)}
        for name, call in calls.items():
            for _warm in range(3):  # compiled statements are cached after the first calls, as in a server
                call()
                db.session.rollback()
            times = []
            for _run in range(RUNS):
                db.session.expire_all()
                sa.event.listen(engine, "before_cursor_execute", count)
                counts["n"] = 0
                t0 = time.perf_counter()
                call()
                times.append((time.perf_counter() - t0) * 1000)
                sa.event.remove(engine, "before_cursor_execute", count)
                db.session.rollback()
            out[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
                         "queries": counts["n"]}
        out["all_p95_ms"] = round(sum(out[n]["p95_ms"] for n in calls), 1)
    return out


def _run(years: int) -> dict:
    from flask_migrate import upgrade

    from logistics.app import create_app
    from logistics.extensions import db

    instance = tempfile.mkdtemp(prefix="hn_dist_bench_")
    config = {"INSTANCE_PATH": instance, "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost"}
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
        t0 = time.perf_counter()
        info = _generate(db.session, years, random.Random(years))
        db.session.commit()
        info["load_s"] = round(time.perf_counter() - t0, 1)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        info["dialect"] = engine.dialect.name
    info.update(_measure(app, None))
    with app.app_context():
        db.engine.dispose()
    return info


def main() -> dict:
    results = {"python": platform.python_version(), "runs": RUNS, "sizes": {}}
    for years in (1, 5):
        results["sizes"][f"{years}y"] = _run(years)
    small, large = results["sizes"]["1y"], results["sizes"]["5y"]
    results["queries_independent_of_size"] = all(small[n]["queries"] == large[n]["queries"]
                                                  for n in ("plan", "sufficiency", "forecast"))
    results["p95_within_100ms"] = large["all_p95_ms"] <= 100
    RESULTS.mkdir(exist_ok=True)
    suffix = "-postgresql" if large["dialect"] == "postgresql" else ""
    (RESULTS / f"distributions{suffix}.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# Distributions benchmark ({large['dialect']})", "",
             "Plan (proposal and 3-month averages), 8-week sufficiency, forecast with shopping list; "
             f"{RUNS} runs each, milliseconds per call.", "",
             "| history | movements | distributions | call | p50 | p95 | queries |",
             "| --- | ---: | ---: | --- | ---: | ---: | ---: |"]
    for size, info in results["sizes"].items():
        for name in ("plan", "sufficiency", "forecast"):
            lines.append(f"| {size} | {info['movements']} | {info['distributions']} | {name} | "
                         f"{info[name]['p50_ms']} | {info[name]['p95_ms']} | {info[name]['queries']} |")
        lines.append(f"| {size} | | | all three (p95 sum) | | {info['all_p95_ms']} | |")
    lines += ["", f"Query counts the same at both sizes: {results['queries_independent_of_size']}. "
              f"All three within 100 ms at p95 over 5 years: {results['p95_within_100ms']}.", ""]
    (RESULTS / f"distributions{suffix}.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return results


if __name__ == "__main__":
    main()
