"""Back safe: every member of a street outreach shift checks out when they are home; when
someone has not, some minutes after the end (a setting), the coordinators are alerted once,
and the shift shows red until the person checks out or a coordinator clears them.

The alert is a notification row per coordinator (kind "not back"), sent like every other email
by the notification area's send job, which asks :mod:`logistics.outreach.alerts` first: by the time
the email would leave, the person may be back or cleared, and then it is not sent."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from logistics import settings
from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.errors import DomainError, PermissionDenied
from logistics.notifications import collect
from logistics.notifications.models import Kind
from logistics.outreach.models import CHECKOUT_KINDS, Alert, Checkout
from logistics.people.models import User
from logistics.shifts.models import Activity, Shift, ShiftStatus, Signup, SignupStatus
from logistics.shifts.rules import LONGEST_SHIFT

#: Shifts that ended longer ago than this are no longer watched (nor alerted about).
WATCH = dt.timedelta(hours=48)


def grace(session) -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.get(session, "outreach_checkout_grace_minutes")))


def takes_checkout(shift: Shift) -> bool:
    return shift.activity.kind in CHECKOUT_KINDS


def on_shift(session, shift: Shift, user_id: int) -> Signup | None:
    """The person's confirmed place on the shift (not marked absent), or None."""
    return session.scalars(sa.select(Signup).where(
        Signup.shift_id == shift.id, Signup.user_id == user_id, Signup.status == SignupStatus.CONFIRMED,
        sa.or_(Signup.attended.is_(None), Signup.attended.is_(True)))).first()


def _existing(session, shift: Shift, user_id: int) -> Checkout | None:
    return session.scalars(sa.select(Checkout).where(Checkout.shift_id == shift.id,
                                                     Checkout.user_id == user_id)).first()


def _check_shift(shift: Shift, now: dt.datetime) -> None:
    if not takes_checkout(shift):
        raise DomainError(str(_l("Only street outreach shifts check out back safe.")))
    if shift.status == ShiftStatus.CANCELLED:
        raise DomainError(str(_l("This shift was cancelled.")))
    if shift.starts_at > now:
        raise DomainError(str(_l("The shift has not started yet.")))


def _insert(session, checkout: Checkout) -> Checkout:
    """Insert unless the person is already checked out (two taps, two phones): then keep the first."""
    try:
        with session.begin_nested():
            session.add(checkout)
            session.flush()
    except IntegrityError:
        found = session.scalars(sa.select(Checkout).where(Checkout.shift_id == checkout.shift_id,
                                                          Checkout.user_id == checkout.user_id)).one()
        return found
    return checkout


def back_safe(session, shift: Shift, *, by: User) -> Checkout:
    """``by`` is home safe after ``shift``. A second tap changes nothing."""
    now = utcnow()
    _check_shift(shift, now)
    if on_shift(session, shift, by.id) is None:
        raise PermissionDenied(str(_l("You are not on this shift, so you cannot check out of it.")))
    found = _existing(session, shift, by.id)
    if found is not None:
        return found
    checkout = _insert(session, Checkout(shift_id=shift.id, user_id=by.id, at=now))
    audit.record(session, by=by, action="outreach.back_safe", entity="shift", entity_id=shift.id, changes={})
    return checkout


def clear(session, shift: Shift, person: User, *, reason: str, by: User) -> Checkout:
    """A coordinator knows ``person`` is safe (or is dealing with it): stop the alert, with a reason."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DomainError(str(_l("Say why you clear this person.")), field="reason")
    if shift.status == ShiftStatus.CANCELLED:
        raise DomainError(str(_l("This shift was cancelled.")))
    if on_shift(session, shift, person.id) is None:
        raise DomainError(str(_l("This person is not on the shift.")))
    found = _existing(session, shift, person.id)
    if found is not None:
        return found
    checkout = _insert(session, Checkout(shift_id=shift.id, user_id=person.id, at=utcnow(), cleared_by_id=by.id,
                                         reason=reason))
    audit.record(session, by=by, action="outreach.checkout_cleared", entity="user", entity_id=person.id,
                 changes={"shift": shift.id, "reason": reason})
    return checkout


def missing_bounds(now: dt.datetime, grace_: dt.timedelta) -> dict[str, dt.datetime]:
    """:func:`missing_stmt`'s window for ``now``: shifts ended by ``due`` and after ``since``
    (so begun after ``earliest``)."""
    return {"due": now - grace_, "since": now - WATCH, "earliest": now - WATCH - LONGEST_SHIFT}


def missing_stmt(now: dt.datetime, grace_: dt.timedelta):
    """(shift_id, user_id) of people on street outreach shifts that ended more than ``grace_``
    ago (within WATCH) who have not checked out."""
    return missing_between(**missing_bounds(now, grace_))


def missing_between(due, since, earliest):
    """:func:`missing_stmt` for the window :func:`missing_bounds` gives (values, or bind
    parameters for a statement built once)."""
    return (
        sa.select(Signup.shift_id, Signup.user_id)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Activity, Activity.id == Shift.activity_id)
        .outerjoin(Checkout, sa.and_(Checkout.shift_id == Signup.shift_id, Checkout.user_id == Signup.user_id))
        .where(Activity.kind.in_(CHECKOUT_KINDS), Shift.status == ShiftStatus.SCHEDULED,
               Shift.ends_at <= due, Shift.ends_at > since,
               # The same shifts, bounded by their start too: the (status, starts_at) index.
               Shift.starts_at < due, Shift.starts_at > earliest,
               Signup.status == SignupStatus.CONFIRMED,
               sa.or_(Signup.attended.is_(None), Signup.attended.is_(True)),
               Checkout.id.is_(None))
    )


def alert_due(session, *, now: dt.datetime | None = None) -> int:
    """The sweep: for each shift with someone not back after the grace, record one alert and
    a notification row for each coordinator (sent after the commit); return how many shifts
    were alerted now."""
    from logistics.outreach import alerts  # it reads this module's missing_stmt

    now = now or utcnow()
    rows = session.execute(missing_stmt(now, grace(session))).all()
    missing: dict[int, int] = {}
    for shift_id, _user_id in rows:
        missing[shift_id] = missing.get(shift_id, 0) + 1
    if not missing:
        return 0
    done = set(session.scalars(sa.select(Alert.shift_id).where(Alert.shift_id.in_(missing))))
    made = 0
    for shift_id, count in sorted(missing.items()):
        if shift_id in done:
            continue
        try:
            with session.begin_nested():  # another worker may alert the same shift at once
                session.add(Alert(shift_id=shift_id, at=now, missing=count))
                session.flush()
        except IntegrityError:
            continue
        collect.make(session, Kind.NOT_BACK, f"not_back:{shift_id}", alerts.coordinators(session),
                     shift_id=shift_id, now=now)
        made += 1
    return made
