"""A person's notification settings, and the test email."""
from __future__ import annotations

import datetime as dt
import secrets

from logistics import queue
from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.notifications import collect, timing
from logistics.notifications.models import DEFAULT_OFFSETS, DEFAULT_QUIET, NOTICE_GROUPS, Kind, Notification, Preference
from logistics.people.models import User


def get(session, user: User) -> Preference:
    """The saved settings, or the defaults (not added to the session)."""
    pref = session.get(Preference, user.id)
    if pref is None:
        pref = Preference(user_id=user.id, offsets=list(DEFAULT_OFFSETS), quiet_start=DEFAULT_QUIET[0],
                          quiet_end=DEFAULT_QUIET[1], muted=[])
    return pref


def save(session, user: User, *, offsets, quiet_start: dt.time | None, quiet_end: dt.time | None,
         wanted, by: User) -> Preference:
    pref = session.get(Preference, user.id)
    if pref is None:
        pref = Preference(user_id=user.id)
        session.add(pref)
    if (quiet_start is None) != (quiet_end is None) or (quiet_start is not None and quiet_start == quiet_end):
        quiet_start = quiet_end = None  # half a window, or an empty one: no quiet hours
    before = {"offsets": list(pref.offsets or []), "muted": list(pref.muted or [])}
    pref.offsets = timing.clean_offsets(offsets)
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.muted = [g for g in NOTICE_GROUPS if g not in set(wanted or ())]
    session.flush()
    audit.record(session, by=by, action="notifications.settings", entity="user", entity_id=user.id,
                 changes={"offsets": [before["offsets"], pref.offsets], "muted": [before["muted"], pref.muted]})
    return pref


def send_test(session, user: User) -> Notification:
    """A test email to oneself, through a row like every other message."""
    now = utcnow()
    n = Notification(key=f"test:{user.id}:{int(now.timestamp())}:{secrets.token_hex(4)}", kind=Kind.TEST,
                     user_id=user.id, due_at=now, data={})
    session.add(n)
    session.flush()
    queue.enqueue(session, collect.SEND_JOB, n.id, job_id=collect.job_id(n.id, 0))
    return n
