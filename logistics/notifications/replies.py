"""Signed links that work without login: one-tap replies in the last reminder ("I'm
coming", "I can't make it", valid until the shift starts) and "I'll take it" in a cover
request. The signature (SECRET_KEY) says who and what; the current state of the sign-up
decides what the link still does."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from logistics.clock import utcnow
from logistics.notifications import ical, timing
from logistics.notifications.models import Kind, Notification, Preference
from logistics.people.models import User
from logistics.shifts import rules
from logistics.shifts.models import CoverRequest, Shift, ShiftStatus, Signup, SignupStatus
from logistics.urls import external_url

SALT = "notification-reply"
ANSWERS = ("coming", "cannot")


class BadLink(Exception):
    """Tampered, for something else, or no longer valid."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(kind: str, object_id: int, user_id: int) -> str:
    return _serializer().dumps([kind, object_id, user_id])


def read_token(token: str, kind: str) -> tuple[int, int]:
    """(object id, user id) from a link's token; raises BadLink."""
    if not token or len(token) > 500:
        raise BadLink()
    try:
        data = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise BadLink() from None
    if (not isinstance(data, list) or len(data) != 3 or data[0] != kind
            or not all(isinstance(v, int) and 0 < v < 2**31 for v in data[1:])):
        raise BadLink()
    return data[1], data[2]


# --- cover requests -------------------------------------------------------------------------------------

def _candidate_shifts(session, request: CoverRequest) -> list[Shift]:
    return list(session.scalars(
        sa.select(Shift).where(Shift.activity_id == request.activity_id, Shift.status == ShiftStatus.SCHEDULED,
                               Shift.starts_at < request.ends_at, Shift.ends_at > request.starts_at,
                               Shift.confirmed_count < Shift.capacity_max)
        .order_by(Shift.starts_at, Shift.id)))


def open_shift_for(session, request: CoverRequest, user: User, now: dt.datetime | None = None) -> Shift | None:
    """The shift in the requested gap with a free place that ``user`` may take, or None."""
    now = now or utcnow()
    for shift in _candidate_shifts(session, request):
        taken = session.scalar(sa.select(Signup.id).where(
            Signup.shift_id == shift.id, Signup.user_id == user.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED))))
        if taken:
            continue
        try:
            rules.check_eligibility(session, shift, user, now=now)
        except rules.SignupRefused:
            continue
        return shift
    return None


def cover_recipients(session, cover_request_id: int | None) -> list[int]:
    """Eligible, free volunteers for the gap (none when it has no shift with a free place)."""
    request = session.get(CoverRequest, cover_request_id) if cover_request_id else None
    if request is None or request.starts_at <= utcnow():
        return []
    if not _candidate_shifts(session, request):
        return []
    people = session.scalars(sa.select(User).where(User.is_active.is_(True), User.erased_at.is_(None),
                                                   User.approved_at.is_not(None)).order_by(User.id))
    return [u.id for u in people if open_shift_for(session, request, u) is not None]


# --- what the email carries -----------------------------------------------------------------------------

def is_last_reminder(session, n: Notification) -> bool:
    pref = session.get(Preference, n.user_id)
    last = timing.last_offset(pref.offsets if pref is not None else None)
    return n.kind == Kind.REMINDER and n.offset_minutes is not None and n.offset_minutes == last


def extra_context(session, n: Notification, now: dt.datetime) -> dict:
    """Links the email carries: one-tap replies in the last reminder, "I'll take it" in a
    cover request."""
    if n.kind == Kind.REMINDER and n.signup_id and is_last_reminder(session, n):
        return {"reply_links": {answer: external_url("notifications.reply", answer=answer,
                                                     token=make_token(answer, n.signup_id, n.user_id))
                                for answer in ANSWERS}}
    if n.kind == Kind.COVER_REQUESTED and n.cover_request_id:
        request = session.get(CoverRequest, n.cover_request_id)
        shift = open_shift_for(session, request, n.user, now)
        from logistics.notifications.messages import shift_context

        return {**shift_context(shift), "note": request.note,
                "take_link": external_url("notifications.take_cover",
                                          token=make_token("take", request.id, n.user_id))}
    return {}


def title_of(shift: Shift) -> str:
    return ical.title(shift)
