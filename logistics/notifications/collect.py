"""The sweep: turn unsent shift events into notification rows, make rows for reminders
that are due, and enqueue every row that is due and has no live job (lost in Redis, or
left in "sending" by a worker that died). Safe to run twice at once: rows have unique keys
and jobs claim their row."""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

from logistics import queue
from logistics.clock import utcnow
from logistics.notifications import send, timing
from logistics.notifications.models import OFFSETS, Kind, Notification, Preference, Status
from logistics.people.models import User
from logistics.shifts.models import EventKind, Shift, ShiftEvent, ShiftStatus, Signup, SignupStatus

log = logging.getLogger(__name__)

SEND_JOB = "logistics.notifications.jobs.send"
#: Events handled per sweep (the next sweep takes the rest).
EVENT_BATCH = 1000
#: Reminders are looked for this far ahead: the longest offset and a night of quiet hours.
LOOKAHEAD = dt.timedelta(minutes=max(OFFSETS)) + dt.timedelta(days=1)
_CHUNK = 500


def job_id(notification_id: int, attempts: int) -> str:
    """One job per row and attempt: a retry is a new job, a lost job is replaced."""
    return f"notification-{notification_id}-{attempts}"


def _existing_keys(session, keys: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(keys), _CHUNK):
        found.update(session.scalars(sa.select(Notification.key).where(Notification.key.in_(keys[i:i + _CHUNK]))))
    return found


def _insert(session, rows: list[dict]) -> int:
    """Insert rows whose key is new; return how many."""
    if not rows:
        return 0
    existing = _existing_keys(session, [r["key"] for r in rows])
    fresh = {r["key"]: r for r in rows if r["key"] not in existing}
    if fresh:
        now = utcnow()
        # Two sweeps at once may both find a key new: the second insert of it is ignored.
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        session.execute(insert(Notification).on_conflict_do_nothing(index_elements=["key"]), [
            {"status": Status.PENDING, "attempts": 0, "due_at": now, "data": {}, "created_at": now,
             "updated_at": now, **r} for r in fresh.values()])
    return len(fresh)


def make(session, kind: Kind, key: str, user_ids, *, shift_id: int | None = None, data: dict | None = None,
         now: dt.datetime | None = None) -> int:
    """A row of ``kind`` for each of ``user_ids`` (key ``<key>:<user id>``, so making them again
    makes nothing) and, after the commit, a job for each row that is due; return how many are new.
    What the message says is worked out when the row is sent. For other areas' messages."""
    rows = [{"key": f"{key}:{uid}", "kind": kind, "user_id": uid, "shift_id": shift_id, "data": data or {}}
            for uid in user_ids]
    made = _insert(session, rows)
    session.flush()
    if made:
        enqueue_due(session, now or utcnow())
    return made


# --- events -------------------------------------------------------------------------------------------

def _event_rows(session, event: ShiftEvent) -> list[dict]:
    if event.kind == EventKind.COVER_REQUESTED:
        from logistics.notifications import replies

        return [{"key": f"cover:{event.cover_request_id}:{uid}", "kind": Kind.COVER_REQUESTED, "user_id": uid,
                 "cover_request_id": event.cover_request_id, "event_id": event.id}
                for uid in replies.cover_recipients(session, event.cover_request_id)]
    if event.user_id is None:
        return []
    return [{"key": f"event:{event.id}", "kind": Kind(event.kind.value), "user_id": event.user_id,
             "shift_id": event.shift_id, "signup_id": event.signup_id, "shift_version": event.shift_version,
             "event_id": event.id}]


def collect_events(session, now: dt.datetime | None = None) -> int:
    """Rows for the events no one has handled yet; marks the events handled."""
    now = now or utcnow()
    stmt = sa.select(ShiftEvent).where(ShiftEvent.sent_at.is_(None)).order_by(ShiftEvent.id).limit(EVENT_BATCH)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    events = list(session.scalars(stmt))
    rows = [row for event in events for row in _event_rows(session, event)]
    made = _insert(session, rows)
    if events:
        session.execute(sa.update(ShiftEvent).where(ShiftEvent.id.in_([e.id for e in events]))
                        .values(sent_at=now), execution_options={"synchronize_session": False})
    return made


# --- reminders -------------------------------------------------------------------------------------------

def reminder_key(signup_id: int, offset: int, starts_at: dt.datetime) -> str:
    """One reminder per sign-up, offset and start: a shift moved to another time gets its own."""
    return f"reminder:{signup_id}:{offset}:{int(starts_at.timestamp())}"


def due_reminders(session, now: dt.datetime) -> list[dict]:
    rows = session.execute(
        sa.select(Signup.id, Signup.user_id, Signup.confirmed_at, Shift.id, Shift.starts_at, Shift.version,
                  Preference.offsets, Preference.quiet_start, Preference.quiet_end, Preference.user_id)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(User, User.id == Signup.user_id)
        .outerjoin(Preference, Preference.user_id == Signup.user_id)
        .where(Signup.status == SignupStatus.CONFIRMED, Shift.status == ShiftStatus.SCHEDULED,
               Shift.starts_at > now, Shift.starts_at <= now + LOOKAHEAD,
               User.is_active.is_(True), User.erased_at.is_(None)))
    out = []
    for signup_id, user_id, confirmed_at, shift_id, starts_at, version, offsets, q_start, q_end, pref in rows:
        if pref is None:  # no settings saved: the defaults
            offsets, q_start, q_end = None, timing.DEFAULT_QUIET[0], timing.DEFAULT_QUIET[1]
        found = timing.current_reminder(starts_at, offsets, q_start, q_end, now)
        if found is None:
            continue
        offset, due = found
        if confirmed_at is not None and confirmed_at > due:
            continue  # signed up after it was due: the confirmation said it all
        out.append({"key": reminder_key(signup_id, offset, starts_at), "kind": Kind.REMINDER, "user_id": user_id,
                    "shift_id": shift_id, "signup_id": signup_id, "shift_version": version,
                    "offset_minutes": offset})
    return out


def collect_reminders(session, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    return _insert(session, due_reminders(session, now))


# --- enqueueing -------------------------------------------------------------------------------------------

def enqueue_due(session, now: dt.datetime | None = None, limit: int = 20000) -> int:
    """Enqueue (after commit) a job for every row that may be claimed now."""
    now = now or utcnow()
    rows = session.execute(sa.select(Notification.id, Notification.attempts).where(send.claimable(now))
                           .order_by(Notification.due_at, Notification.id).limit(limit)).all()
    queue.enqueue_many(session, SEND_JOB, [((nid,), job_id(nid, attempts)) for nid, attempts in rows])
    return len(rows)


def sweep(session, now: dt.datetime | None = None) -> dict:
    """One pass: events → rows, due reminders → rows, every claimable row → a job."""
    now = now or utcnow()
    made = {"events": collect_events(session, now), "reminders": collect_reminders(session, now)}
    session.flush()
    made["enqueued"] = enqueue_due(session, now)
    return made
