"""Benchmark the shift pages volunteers and coordinators open most, on years of data.

    .venv/bin/python -m bench.shifts_bench            # SQLite in a scratch folder
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.shifts_bench

The generator makes 500 volunteers, 30,000 shifts over 3 years (2 years back, 1 ahead, the
hotline 24/7 in 4-hour slots) and 150,000 sign-ups, then times My shifts, Open shifts, the
week view and the coverage board through the real app (login, session, templates) and
counts their SQL statements on a small and on the full data set. Results go to
bench/results/shifts.md (shifts-postgresql.md on PostgreSQL).
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

PAGES = [("My shifts", "/shifts/mine", "volunteer"), ("Open shifts", "/shifts/open", "volunteer"),
         ("Week view", "/shifts/calendar/week", "volunteer"), ("Coverage board", "/shifts/coverage", "coordinator")]
RUNS = 60
PASSWORD = "benchmark password not secret"


def make_app(instance: str):
    from logistics.app import create_app

    config = {"INSTANCE_PATH": instance, "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
              "SECRET_KEY": "bench", "SERVER_NAME": "localhost"}
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance}/bench.sqlite"
    return create_app(config)


def reset(app) -> None:
    from flask_migrate import upgrade

    from logistics.extensions import db

    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(bind=db.engine)
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                for table in meta.tables:
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
            else:
                meta.drop_all(bind=conn)
        upgrade()


def generate(app, *, volunteers: int, shifts: int, signups: int, seed: int = 7) -> dict:
    """Fill the database; return the ids the benchmark logs in as."""
    from logistics import settings
    from logistics.clock import utcnow
    from logistics.extensions import db
    from logistics.people import passwords
    from logistics.people.models import Qualification, Role, User, UserQualification
    from logistics.shifts.models import Activity, ActivityKind, Place, PlaceKind, Shift, Signup

    rng = random.Random(seed)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    start = (now - dt.timedelta(days=730)).replace(hour=0)
    with app.app_context():
        s = db.session
        settings.set_value(s, "require_2fa_privileged", False)
        pw = passwords.hash_password(PASSWORD)
        stamp = dict(password_hash=pw, approved_at=now, is_active=True, locale="en", security_stamp="x" * 32,
                     created_at=now)
        s.execute(sa.insert(User), [dict(email="coordinator@bench.example", full_name="Bench Coordinator",
                                         display_name="Bench", role=Role.COORDINATOR, **stamp)] +
                  [dict(email=f"v{i}@bench.example", full_name=f"Volunteer {i}", display_name=f"V{i}",
                        role=Role.VOLUNTEER, **stamp) for i in range(volunteers)])
        user_ids = [u for u, in s.execute(sa.select(User.id).where(User.role == Role.VOLUNTEER).order_by(User.id))]
        quals = {}
        for code in ("hotline", "outreach", "food_safety", "prison_visit"):
            q = Qualification(code=code, name_en=code, name_da=code)
            s.add(q)
            quals[code] = q
        s.flush()
        s.execute(sa.insert(UserQualification), [
            dict(user_id=u, qualification_id=q.id, granted_at=now) for u in user_ids for code, q in quals.items()
            if code != "prison_visit" or u % 5 == 0])
        acts = []
        for kind in ActivityKind:
            a = Activity(name=kind.value, kind=kind, colour="teal", briefing="", capacity_min=2, capacity_max=8,
                         cancel_cutoff_hours=24, signup_opens_days=56, is_discreet=kind == ActivityKind.PRISON_VISIT)
            a.qualifications = [quals["hotline"]] if kind == ActivityKind.HOTLINE else []
            s.add(a)
            acts.append(a)
        places = [Place(name=f"Place {i}", address="", kind=PlaceKind.OFFICE) for i in range(6)]
        s.add_all(places)
        s.flush()
        hotline = next(a for a in acts if a.kind == ActivityKind.HOTLINE)
        others = [a for a in acts if a.kind != ActivityKind.HOTLINE]
        rows = []
        hotline_slots = min(shifts // 4, 3 * 365 * 6)
        # 24/7 in 4-hour slots, centred on now when there are fewer than 3 years of them.
        hotline_start = max(start, now.replace(hour=0) - dt.timedelta(hours=4 * (hotline_slots // 2)))
        for i in range(hotline_slots):
            at = hotline_start + dt.timedelta(hours=4 * i)
            rows.append((hotline.id, None, at, at + dt.timedelta(hours=4), 1, 6))
        span_hours = 3 * 365 * 24
        while len(rows) < shifts:
            a = rng.choice(others)
            at = start + dt.timedelta(hours=rng.randrange(span_hours))
            rows.append((a.id, rng.choice(places).id, at, at + dt.timedelta(hours=rng.choice([2, 3, 4])), 2, 8))
        s.execute(sa.insert(Shift), [dict(activity_id=a, place_id=p, starts_at=b, ends_at=e, capacity_min=cmin,
                                          capacity_max=cmax, over_capacity=0, confirmed_count=0, waitlist_count=0,
                                          status="scheduled", version=1, note="", is_detached=False,
                                          created_at=now, updated_at=now)
                                     for a, p, b, e, cmin, cmax in rows])
        shift_rows = s.execute(sa.select(Shift.id, Shift.capacity_max)).all()
        per_shift = max(1, signups // len(shift_rows))
        extra = signups - per_shift * len(shift_rows)
        signup_rows, counts = [], {}
        for n, (sid, cap) in enumerate(shift_rows):
            k = min(cap, per_shift + (1 if n < extra else 0))
            for uid in rng.sample(user_ids, k):
                signup_rows.append(dict(shift_id=sid, user_id=uid, status="confirmed", confirmed_at=now,
                                        created_at=now, updated_at=now))
            counts[sid] = k
        for i in range(0, len(signup_rows), 5000):
            s.execute(sa.insert(Signup), signup_rows[i:i + 5000])
        s.execute(sa.update(Shift.__table__).where(Shift.__table__.c.id == sa.bindparam("sid"))
                  .values(confirmed_count=sa.bindparam("n")), [dict(sid=k, n=v) for k, v in counts.items()])
        s.commit()
        busiest = s.execute(sa.select(Signup.user_id, sa.func.count()).group_by(Signup.user_id)
                            .order_by(sa.func.count().desc()).limit(1)).first()
        total = s.scalar(sa.select(sa.func.count(Signup.id)))
        n_shifts = s.scalar(sa.select(sa.func.count(Shift.id)))
        if s.get_bind().dialect.name == "sqlite":
            s.execute(sa.text("ANALYZE"))
        else:
            s.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        s.commit()
        return {"volunteer": f"v{user_ids.index(busiest[0])}@bench.example", "volunteer_signups": busiest[1],
                "coordinator": "coordinator@bench.example", "signups": total, "shifts": n_shifts,
                "volunteers": len(user_ids)}


def measure(app, who: dict, runs: int = RUNS) -> dict:
    from logistics.extensions import db

    results = {}
    with app.app_context():
        engine = db.engine
    for label, url, role in PAGES:
        client = app.test_client()
        r = client.post("/login", data={"email": who[role], "password": PASSWORD})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], r.status_code
        for _ in range(5):  # warm up caches and templates
            assert client.get(url).status_code == 200
        statements = statements_of(engine, client.get, url)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        results[label] = {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
                          "max": times[-1], "queries": len(statements)}
    return results



def statements_of(engine, call, *args) -> list[str]:
    """The SQL statements ``call(*args)`` sends (transaction control left out), as the tests count them."""
    statements = []

    def count(conn, cursor, statement, *_rest):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        call(*args)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return statements


def main() -> int:
    instance = tempfile.mkdtemp(prefix="shifts-bench-")
    app = make_app(instance)
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"backend: {backend}; instance {instance}")
    reset(app)
    small_who = generate(app, volunteers=20, shifts=300, signups=1500)
    small = measure(app, small_who, runs=10)
    reset(app)
    t0 = time.perf_counter()
    who = generate(app, volunteers=500, shifts=30_000, signups=150_000)
    gen_seconds = time.perf_counter() - t0
    large = measure(app, who)
    lines = [
        "# Shifts benchmark",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {backend}, Python {platform.python_version()}, "
        f"{platform.machine()}; `bench/shifts_bench.py` ({RUNS} timed requests per page after 5 warm-ups, "
        "through the full app: session, login check, queries, templates).",
        "",
        f"Data: {who['volunteers']} volunteers, {who['shifts']:,} shifts over 3 years (2 back, 1 ahead; hotline "
        f"24/7 in 4-hour slots), {who['signups']:,} sign-ups; generated in {gen_seconds:.0f} s. The volunteer "
        f"measured is the busiest one ({who['volunteer_signups']} sign-ups).",
        "",
        "| page | p50 ms | p95 ms | max ms | queries (full data) | queries (small data) | p95 ≤ 50 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    ok = True
    for label, _url, _role in PAGES:
        r, q_small = large[label], small[label]["queries"]
        passed = r["p95"] <= 50 and r["queries"] == q_small
        ok &= passed
        lines.append(f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['queries']} | {q_small} | "
                     f"{'yes' if passed else 'NO'} |")
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    lines += ["", "Small data set for the query counts: 20 volunteers, 300 shifts, 1,500 sign-ups.",
              f"Machine load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
              f"on {os.cpu_count()} CPUs "
              "(other test suites were running on the same machine; timings on an idle machine are lower).",
              "Query counts include the login-session lookup every page makes.", ""]
    out = ROOT / "bench" / "results" / ("shifts.md" if backend == "SQLite" else "shifts-postgresql.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    if backend != "SQLite":
        out = out.with_name("shifts-postgresql.md")
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
