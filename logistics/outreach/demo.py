"""Demo data for after the shift: the partner list; for the demo year, earlier street
outreach, hotline and prison-visit shifts (the shifts area plans only from two weeks back)
with attendance, tallies and check-outs; tallies and check-outs for the recent shifts, except
a few left for the coordinators' to-do list (idempotent)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from logistics.clock import localize, today, utcnow
from logistics.outreach import partners as partner_services
from logistics.outreach.models import CHECKOUT_KINDS, TALLY_KINDS, Checkout, Partner, Referral, Tally
from logistics.people.models import Role
from logistics.shifts.models import Activity, ActivityKind, Shift, ShiftStatus, Signup, SignupStatus

#: Recent shifts left without a tally, so the coordinators' to-do list shows something.
LEFT_OPEN = 2


def _counts(rng: random.Random, kind: ActivityKind) -> dict[str, int]:
    if kind == ActivityKind.STREET_OUTREACH:
        c = {"women": rng.randint(2, 12), "men": rng.randint(0, 2), "transgender": rng.randint(0, 2),
             "not_stated": rng.randint(0, 1)}
    elif kind == ActivityKind.HOTLINE:
        c = {"women": rng.randint(0, 4), "men": rng.randint(0, 1), "transgender": 0, "not_stated": rng.randint(0, 2),
             "calls": rng.randint(0, 7)}
    else:
        c = {"women": rng.randint(1, 3), "men": 0, "transgender": 0, "not_stated": 0, "visits": rng.randint(1, 3)}
    c["new_contacts"] = rng.randint(0, (c["women"] + c["men"] + c["transgender"] + c["not_stated"]) // 3)
    return c


def _tally(session, rng, shift: Shift, author_id: int, partners: list[Partner]) -> None:
    tally = Tally(shift_id=shift.id, created_by_id=author_id, updated_by_id=author_id,
                  created_at=shift.ends_at + dt.timedelta(minutes=rng.randint(20, 600)),
                  **_counts(rng, shift.activity.kind))
    for partner in rng.sample(partners, k=rng.choice([0, 0, 1, 1, 2])):
        tally.referrals.append(Referral(partner_id=partner.id, count=rng.randint(1, 3)))
    session.add(tally)


def _history(session, rng, volunteers, acts: dict[ActivityKind, Activity], first: dt.date, last: dt.date) -> None:
    """Shifts of the demo year before the planned ones, with people who came."""
    day = first
    plan = []
    while day < last:
        wd = day.weekday()
        if wd in (1, 5):  # Tuesday night and Saturday afternoon outreach
            plan.append((acts[ActivityKind.STREET_OUTREACH], day, 21 if wd == 1 else 14, 3, 2))
        plan.append((acts[ActivityKind.HOTLINE], day, 16, 4, 1))  # the evening hotline slot
        if wd == 0 and day.isocalendar()[1] % 2 == 0:
            plan.append((acts[ActivityKind.PRISON_VISIT], day, 10, 2, 1))
        day += dt.timedelta(days=1)
    for act, day, hour, hours, people in plan:
        starts = localize(dt.datetime.combine(day, dt.time(hour)))
        shift = Shift(activity_id=act.id, starts_at=starts, ends_at=starts + dt.timedelta(hours=hours),
                      capacity_min=act.capacity_min, capacity_max=max(act.capacity_max, people),
                      confirmed_count=people)
        session.add(shift)
        for person in rng.sample(volunteers, k=people):
            session.add(Signup(shift=shift, user_id=person.id, status=SignupStatus.CONFIRMED, attended=True,
                               hours=Decimal(hours), confirmed_at=starts - dt.timedelta(days=7)))
    session.flush()


def load(session, context: dict) -> None:
    partner_services.seed(session)
    if session.scalar(sa.select(Tally.id).limit(1)) is not None:
        return
    rng = random.Random(2026)
    volunteers = context.get("volunteers") or []
    acts = {a.kind: a for a in session.scalars(sa.select(Activity).where(Activity.kind.in_(TALLY_KINDS))
                                               .order_by(Activity.id))}
    if not volunteers or len(acts) < len(TALLY_KINDS):
        return
    planned_from = session.scalar(sa.select(sa.func.min(Shift.starts_at)))
    first = today().replace(month=1, day=1)
    if planned_from is not None:
        _history(session, rng, volunteers, acts, first, (planned_from - dt.timedelta(days=1)).date())
    partners = [p for p in session.scalars(sa.select(Partner).order_by(Partner.position)) if p.is_active]
    now = utcnow()
    ended = session.execute(
        sa.select(Shift, sa.func.min(Signup.user_id)).join(Signup, Signup.shift_id == Shift.id)
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Activity.kind.in_(TALLY_KINDS), Shift.status == ShiftStatus.SCHEDULED, Shift.ends_at <= now,
               Signup.status == SignupStatus.CONFIRMED, Signup.attended.is_(True))
        .group_by(Shift.id).order_by(Shift.ends_at)).all()
    recent_due = [s.id for s, _u in ended if now - s.ends_at > dt.timedelta(days=2)][-LEFT_OPEN:]
    for shift, author_id in ended:
        if shift.id in recent_due:
            continue  # left for the coordinators' "missing tallies"
        _tally(session, rng, shift, author_id, partners)
    # Everyone on a past street outreach shift came home and said so.
    outreach = session.execute(
        sa.select(Signup.shift_id, Signup.user_id, Shift.ends_at).join(Shift, Shift.id == Signup.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Activity.kind.in_(CHECKOUT_KINDS), Shift.ends_at <= now, Signup.status == SignupStatus.CONFIRMED,
               Shift.status == ShiftStatus.SCHEDULED)).all()
    for shift_id, user_id, ends_at in outreach:
        session.add(Checkout(shift_id=shift_id, user_id=user_id,
                             at=ends_at + dt.timedelta(minutes=rng.randint(5, 40))))
    session.flush()
    context["lines"].append(f"Outreach: {len(ended) - len(recent_due)} tallies, {len(outreach)} check-outs "
                            f"(coordinator: {context['users'][Role.COORDINATOR].email}).")
