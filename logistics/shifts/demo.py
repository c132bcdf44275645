"""Demo shifts: every activity kind, the usual places, three months of series, and volunteers
signed up the way they really are (hotline nights are thin; some outreach lacks a buddy)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from logistics.clock import localize, to_local, today, utcnow
from logistics.people.models import Qualification, Role, UserQualification
from logistics.shifts import demo_da, planning
from logistics.shifts.models import Activity, Shift, ShiftStatus, Signup, SignupStatus

ACTIVITIES = [
    # name, kind, colour, quals, min, max, cutoff h, opens days, discreet, briefing
    ("Hotline", "hotline", "blue", ["hotline"], 1, 2, 24, 56, False,
     "Take the hotline phone from the previous volunteer at the office or by transfer. Log calls as counts only."),
    ("Street outreach", "street_outreach", "magenta", ["outreach"], 2, 4, 24, 42, False,
     "Meet at the office 30 minutes before to pack the outreach bag. Always work in pairs. No photos."),
    ("Food pack distribution", "food_distribution", "green", ["food_safety"], 3, 6, 24, 42, False,
     "Hand out food packs at the office. Count packs handed out; never write names."),
    ("Packing food packs", "packing", "olive", [], 3, 8, 12, 42, False,
     "Pack food packs by the current pack contents list. Check expiry dates."),
    ("Communal cooking", "communal_cooking", "orange", ["food_safety"], 2, 4, 48, 42, False,
     "Cook and eat together with our guests. Shopping list on the office fridge."),
    ("Prison visit", "prison_visit", "purple", ["prison_visit"], 1, 2, 72, 56, True,
     "Bring photo ID. Phones stay in the locker. Arrive 20 minutes early for the security check."),
    ("Office day", "office", "grey", [], 1, 2, 24, 42, False, "Answer the door, sort post and donations."),
    ("Volunteer training", "training", "indigo", [], 1, 15, 24, 90, False,
     "Introduction for new volunteers: safety, privacy and how we help."),
    ("Clothing sorting", "other", "teal", [], 2, 5, 24, 42, False, "Sort donated clothes by size and season."),
]

PLACES = [
    # name, address, kind, sensitive
    ("HopeNow office", "Nørrebrogade 100, 2200 København N", "office", False),
    ("Red-light area, Vesterbro", "Istedgade, 1650 København V", "street", True),
    ("Fælledparken", "Fælledparken, 2100 København Ø", "park", False),
    ("Kongens Have", "Øster Voldgade, 1350 København K", "park", False),
    ("St. Mary's Church", "Church street 12, 2300 København S", "church", False),
    ("Vestre Fængsel", "Vigerslev Allé 1, 2450 København SV", "prison", True),
]

QUALS_BY_INDEX = {  # volunteer index → qualification codes (index 0 is the demo volunteer)
    0: ["hotline", "outreach", "food_safety"],
}


def _series(session, coordinator, activity, place, *, freq, start, minutes, weekdays=(), month_weeks=(),
            interval=1, first, last, capacity=None):
    return planning.create_series(
        session, activity=activity, place=place, freq=freq, interval=interval, weekdays=weekdays,
        month_weeks=month_weeks, starts_on=first, start_time=start, duration_minutes=minutes, until=last,
        capacity_min=(capacity or (activity.capacity_min, activity.capacity_max))[0],
        capacity_max=(capacity or (activity.capacity_min, activity.capacity_max))[1], by=coordinator)


def load(session, context: dict) -> None:
    """Activities, places, series and sign-ups (idempotent)."""
    if session.scalar(sa.select(Activity.id).limit(1)) is not None:
        demo_da.name_in_danish(session)
        return
    rng = random.Random(2026)
    coordinator = context["users"][Role.COORDINATOR]
    volunteers = context["volunteers"]
    quals = {q.code: q for q in session.scalars(sa.select(Qualification))}

    # Qualifications: most have hotline or outreach training; a few are cleared for prison visits.
    for i, person in enumerate(volunteers):
        codes = QUALS_BY_INDEX.get(i) or [c for c, p in (("hotline", .55), ("outreach", .5), ("food_safety", .45),
                                                           ("prison_visit", .2)) if rng.random() < p]
        held = {q.qualification_id for q in person.qualifications}
        for code in codes:
            if code in quals and quals[code].id not in held:
                expires_on = today() + dt.timedelta(days=365) if code == "prison_visit" else None
                session.add(UserQualification(user=person, qualification=quals[code], granted_by_id=coordinator.id,
                                              expires_on=expires_on))
    session.flush()

    acts = {}
    for name, kind, colour, codes, cmin, cmax, cutoff, opens, discreet, briefing in ACTIVITIES:
        acts[kind] = planning.save_activity(
            session, None, name=name, kind=kind, colour=colour, briefing=briefing,
            qualification_ids=[quals[c].id for c in codes if c in quals], capacity_min=cmin, capacity_max=cmax,
            cancel_cutoff_hours=cutoff, signup_opens_days=opens, is_discreet=discreet, by=coordinator)
    places = {}
    for name, address, kind, sensitive in PLACES:
        places[name] = planning.save_place(session, None, name=name, address=address, kind=kind,
                                           is_sensitive=sensitive, by=coordinator)
    office = places["HopeNow office"]

    first, last = today() - dt.timedelta(days=14), today() + dt.timedelta(days=90)
    t = dt.time
    for hour in range(0, 24, 4):  # the hotline, 24/7 in 4-hour slots
        _series(session, coordinator, acts["hotline"], None, freq="daily", start=t(hour), minutes=240,
                first=first, last=last)
    _series(session, coordinator, acts["street_outreach"], places["Red-light area, Vesterbro"], freq="weekly",
            weekdays=["TU"], start=t(21), minutes=180, first=first, last=last)
    _series(session, coordinator, acts["street_outreach"], places["Fælledparken"], freq="weekly",
            weekdays=["SA"], start=t(14), minutes=180, first=first, last=last)
    # Packing, food-pack distributions and communal cooking have no series: their shifts are
    # made with each distribution and cooking event (logistics/distributions/demo.py, cooking/demo.py).
    _series(session, coordinator, acts["prison_visit"], places["Vestre Fængsel"], freq="weekly", weekdays=["MO"],
            interval=2, start=t(10), minutes=120, first=first, last=last)
    _series(session, coordinator, acts["office"], office, freq="weekly", weekdays=["MO", "TU", "WE", "TH", "FR"],
            start=t(10), minutes=300, first=first, last=last)
    _series(session, coordinator, acts["other"], office, freq="monthly", weekdays=["SA"], month_weeks=[-1],
            start=t(11), minutes=180, first=first, last=last)
    _series(session, coordinator, acts["street_outreach"], places["St. Mary's Church"], freq="monthly",
            weekdays=["SU"], month_weeks=[1], start=t(12), minutes=180, first=first, last=last)
    training_day = today() + dt.timedelta(days=20)
    planning.create_shift(session, activity=acts["training"], place=office,
                          starts_at=localize(dt.datetime.combine(training_day, t(18))),
                          ends_at=localize(dt.datetime.combine(training_day, t(21))),
                          capacity_min=3, capacity_max=15, by=coordinator)
    session.flush()
    demo_da.name_in_danish(session)
    _sign_up_volunteers(session, rng, volunteers, context.get("language", "en"))


def _sign_up_volunteers(session, rng, volunteers, language: str = "en") -> None:
    """Fill shifts realistically: daytime well, nights thinly, respecting qualifications,
    overlaps and the weekly hotline limit; past shifts get attendance and hours."""
    now = utcnow()
    held = {v.id: {q.qualification_id for q in v.qualifications} for v in volunteers}
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {v.id: [] for v in volunteers}
    hotline_hours: dict[tuple, float] = {}
    shifts = session.scalars(sa.select(Shift).where(Shift.status == ShiftStatus.SCHEDULED)
                             .order_by(Shift.starts_at)).all()
    demo_volunteer = volunteers[0]
    for shift in shifts:
        activity = shift.activity
        needed_quals = {q.id for q in activity.qualifications}
        hour = to_local(shift.starts_at).hour
        if activity.kind.value == "hotline":
            want = 1 if rng.random() < (0.35 if hour in (0, 4) else 0.8) else 0
        elif activity.kind.value == "street_outreach":
            want = rng.choice([1, 2, 2, 3])  # sometimes without a buddy: the fill view shows it
        else:
            want = rng.randint(max(0, shift.capacity_min - 2), shift.capacity_max)
        pool = [v for v in volunteers if needed_quals <= held[v.id]]
        rng.shuffle(pool)
        week = to_local(shift.starts_at).isocalendar()[:2]
        length = (shift.ends_at - shift.starts_at).total_seconds() / 3600
        for person in pool:
            if shift.confirmed_count >= min(want, shift.capacity_max):
                break
            if person is demo_volunteer and shift.starts_at > now and rng.random() < 0.85:
                continue  # leave the demo volunteer plenty of open shifts to try
            if any(a < shift.ends_at and b > shift.starts_at for a, b in busy[person.id]):
                continue
            key = (person.id, week)
            if activity.kind.value == "hotline":
                if hotline_hours.get(key, 0) + length > 12:
                    continue
                hotline_hours[key] = hotline_hours.get(key, 0) + length
            past = shift.ends_at <= now
            attended = past and rng.random() < 0.92
            session.add(Signup(shift=shift, user_id=person.id, status=SignupStatus.CONFIRMED,
                               confirmed_at=shift.starts_at - dt.timedelta(days=rng.randint(2, 20)),
                               attended=attended if past else None,
                               hours=Decimal(str(round(length, 2))) if attended else (Decimal("0") if past else None)))
            shift.confirmed_count += 1
            busy[person.id].append((shift.starts_at, shift.ends_at))
    session.flush()
    # A full shift with a waitlist, a swap offer and a cancellation request, so those pages show something.
    upcoming = [s for s in shifts if s.starts_at > now + dt.timedelta(days=3)
                and s.activity.kind.value == "office"]
    if upcoming:
        shift = upcoming[0]
        on = {s.user_id for s in session.scalars(sa.select(Signup).where(Signup.shift_id == shift.id))}
        needs = {q.id for q in shift.activity.qualifications}
        spare = [v for v in volunteers if v.id not in on and needs <= held[v.id]]
        while shift.confirmed_count < shift.capacity_max and spare:
            person = spare.pop()
            session.add(Signup(shift=shift, user_id=person.id, status=SignupStatus.CONFIRMED, confirmed_at=now))
            shift.confirmed_count += 1
        for person in spare[:2]:
            shift.waitlist_count += 1
            session.add(Signup(shift=shift, user_id=person.id, status=SignupStatus.WAITLISTED,
                               position=shift.waitlist_count))
    session.flush()
    future = session.scalars(sa.select(Signup).join(Shift).where(
        Shift.starts_at > now + dt.timedelta(days=2), Signup.status == SignupStatus.CONFIRMED,
        Signup.user_id != demo_volunteer.id).order_by(Shift.starts_at).limit(40)).all()
    if len(future) > 10:
        future[3].swap_offered_at = now
        future[9].cancel_requested_at = now
        future[9].cancel_request_reason = demo_da.CANCEL_REASON[language]
    session.flush()
