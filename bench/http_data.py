"""The HTTP benchmark's data, loaded fast (PostgreSQL COPY): volunteers, three years of shifts
(2 back, 1 ahead; the hotline 24/7 in 4-hour slots), sign-ups with a few swap offers and
cancellation requests, a coordinator and a staff member, and the stock ledger of
bench/stock_data.py.

``scale`` multiplies volunteers, shifts and sign-ups the way an organisation grows them: more
history at the same density (10: 29 years back and the same year ahead, so 300,000 shifts and
1,500,000 sign-ups, while a week, a month or a person's coming shifts look as they do at 1).
The stock stays the same size.
"""
from __future__ import annotations

import datetime as dt
import random
import time

import sqlalchemy as sa

PASSWORD = "benchmark password not secret"


def reset(app) -> None:
    """Drop every table of the scratch database and build the schema from the migrations."""
    from flask_migrate import upgrade

    from logistics.extensions import db

    with app.app_context():
        meta = sa.MetaData()
        meta.reflect(bind=db.engine)
        with db.engine.begin() as conn:
            for table in meta.tables:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()


def _copy(session, table: str, columns: list[str], rows) -> None:
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def generate(app, *, scale: int = 1, stock_movements: int = 300_000, seed: int = 7) -> dict:
    """Fill the (empty, migrated) database; return who to log in as and what was made."""
    from bench import stock_data
    from logistics import settings
    from logistics.clock import utcnow
    from logistics.extensions import db
    from logistics.people import passwords
    from logistics.people.models import Qualification, Role, User, UserQualification
    from logistics.shifts.models import Activity, ActivityKind, Place, PlaceKind, Shift, Signup

    volunteers, shifts, signups = 500 * scale, 30_000 * scale, 150_000 * scale
    years = 3 * scale  # the last one ahead
    rng = random.Random(seed)
    t0 = time.perf_counter()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    start = (now - dt.timedelta(days=365 * (years - 1))).replace(hour=0)
    with app.app_context():
        s = db.session
        settings.set_value(s, "require_2fa_privileged", False)
        stamp = dict(password_hash=passwords.hash_password(PASSWORD), approved_at=now, is_active=True,
                     locale="en", security_stamp="x" * 32, created_at=now)
        staff_rows = [dict(email="coordinator@bench.example", full_name="Bench Coordinator", display_name="Coord",
                           role=Role.COORDINATOR, **stamp),
                      dict(email="staff@bench.example", full_name="Bench Staff", display_name="Staff",
                           role=Role.STAFF, **stamp)]
        s.execute(sa.insert(User), staff_rows + [
            dict(email=f"v{i}@bench.example", full_name=f"Volunteer {i}", display_name=f"V{i}",
                 role=Role.VOLUNTEER, **stamp) for i in range(volunteers)])
        user_ids = [u for u, in s.execute(sa.select(User.id).where(User.role == Role.VOLUNTEER).order_by(User.id))]
        staff_id = s.scalar(sa.select(User.id).where(User.email == "staff@bench.example"))
        quals = {}
        for code in ("hotline", "outreach", "food_safety", "prison_visit"):
            quals[code] = Qualification(code=code, name_en=code, name_da=code)
            s.add(quals[code])
        s.flush()
        s.execute(sa.insert(UserQualification), [
            dict(user_id=u, qualification_id=q.id, granted_at=now) for u in user_ids for code, q in quals.items()
            if code != "prison_visit" or u % 5 == 0])
        acts = []
        for kind in ActivityKind:
            a = Activity(name=kind.value.replace("_", " ").capitalize(), kind=kind, colour="teal", briefing="",
                         capacity_min=2, capacity_max=8, cancel_cutoff_hours=24, signup_opens_days=56,
                         is_discreet=kind == ActivityKind.PRISON_VISIT)
            a.qualifications = [quals["hotline"]] if kind == ActivityKind.HOTLINE else []
            s.add(a)
            acts.append(a)
        places = [Place(name=f"Place {i}", address="", kind=PlaceKind.OFFICE) for i in range(6)]
        s.add_all(places)
        s.flush()
        hotline = next(a for a in acts if a.kind == ActivityKind.HOTLINE)
        others = [a for a in acts if a.kind != ActivityKind.HOTLINE]
        rows = []
        hotline_slots = min(shifts // 4, years * 365 * 6)
        # 24/7 up to a year ahead, as far back as there are slots (all the years unless few shifts).
        hotline_start = max(start, start + dt.timedelta(days=365 * years, hours=-4 * hotline_slots))
        for i in range(hotline_slots):
            at = hotline_start + dt.timedelta(hours=4 * i)
            rows.append((hotline.id, None, at, at + dt.timedelta(hours=4), 1, 6))
        span_hours = years * 365 * 24
        while len(rows) < shifts:
            a = rng.choice(others)
            at = start + dt.timedelta(hours=rng.randrange(span_hours))
            rows.append((a.id, rng.choice(places).id, at, at + dt.timedelta(hours=rng.choice([2, 3, 4])), 2, 8))
        per_shift = max(1, signups // len(rows))
        extra = signups - per_shift * len(rows)
        counts = [min(cmax, per_shift + (1 if n < extra else 0)) for n, (*_x, cmax) in enumerate(rows)]
        _copy(s, Shift.__tablename__,
              ["activity_id", "place_id", "starts_at", "ends_at", "capacity_min", "capacity_max", "over_capacity",
               "confirmed_count", "waitlist_count", "status", "version", "note", "is_detached", "created_at",
               "updated_at"],
              ((a, p, b, e, cmin, cmax, 0, k, 0, "scheduled", 1, "", False, now, now)
               for (a, p, b, e, cmin, cmax), k in zip(rows, counts, strict=True)))
        shift_ids = [i for i, in s.execute(sa.select(Shift.id).order_by(Shift.id))]

        def signup_rows():
            for sid, k in zip(shift_ids, counts, strict=True):
                for uid in rng.sample(user_ids, k):
                    # A few are offered for swap or asked to be let off (sparse flags).
                    roll = rng.random()
                    yield (sid, uid, "confirmed", now, now, now, now if roll < 0.002 else None,
                           now if 0.002 <= roll < 0.003 else None)

        _copy(s, Signup.__tablename__, ["shift_id", "user_id", "status", "confirmed_at", "created_at", "updated_at",
                                        "swap_offered_at", "cancel_requested_at"], signup_rows())
        s.commit()
        # The hourly sweep has let the requests and swap offers on shifts already begun lapse (as in production).
        from logistics.shifts.signups import lapse_begun_requests

        lapse_begun_requests(s, now=now)
        s.commit()
        shifts_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        stock = stock_data.generate(s, movements=stock_movements, by_id=staff_id, copy=True)
        s.commit()
        stock_seconds = time.perf_counter() - t1
        busiest = s.execute(sa.select(Signup.user_id, sa.func.count()).group_by(Signup.user_id)
                            .order_by(sa.func.count().desc()).limit(1)).first()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        # A shift of the busiest volunteer's, two days ahead: the shift detail page.
        soon = s.execute(sa.select(Signup.shift_id).join(Shift, Shift.id == Signup.shift_id)
                         .where(Signup.user_id == busiest[0], Shift.starts_at > now)
                         .order_by(Shift.starts_at).limit(1)).scalar()
        email = s.scalar(sa.select(User.email).where(User.id == busiest[0]))
        item_id = stock["item_ids"][len(stock["item_ids"]) // 2]
        return {"volunteer": email, "volunteer_signups": busiest[1], "coordinator": "coordinator@bench.example",
                "staff": "staff@bench.example", "shift_id": soon, "item_id": item_id,
                "volunteers": len(user_ids), "shifts": len(shift_ids), "years": years, "signups": sum(counts),
                "movements": stock["movements"], "items": stock["items"], "locations": stock["locations"],
                "shifts_seconds": shifts_seconds, "stock_seconds": stock_seconds}
