"""What a one-tap reply or a cover link does, and the words the page shows for it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from logistics import queue
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.i18n import format_span
from logistics.notifications import collect, ical, replies
from logistics.notifications.models import Kind, Notification, Reply
from logistics.people.models import Role, User
from logistics.shifts import rules, signups
from logistics.shifts.models import CoverRequest, ShiftStatus, Signup, SignupStatus


@dataclass
class Outcome:
    title: str
    message: str
    ok: bool = True
    #: The label of the button that does it (None: nothing more to do).
    button: str | None = None
    shift: str | None = None


def bad_link() -> Outcome:
    return Outcome(_("This link does not work"),
                   _("It may be incomplete or changed. Open the app and find the shift there instead."), ok=False)


def _summary(shift) -> str:
    return f"{ical.title(shift)}, {format_span(shift.starts_at, shift.ends_at)}"


def _load_signup(session, answer: str, token: str) -> tuple[Signup, User]:
    signup_id, user_id = replies.read_token(token, answer)
    signup = session.get(Signup, signup_id)
    user = session.get(User, user_id)
    if signup is None or user is None or signup.user_id != user.id or user.erased_at is not None:
        raise replies.BadLink()
    return signup, user


def _closed(signup: Signup, now: dt.datetime) -> Outcome | None:
    shift = signup.shift
    if shift.starts_at <= now:
        return Outcome(_("This link has expired"), _("Reply links work until the shift starts."), ok=False,
                       shift=_summary(shift))
    if shift.status == ShiftStatus.CANCELLED:
        return Outcome(_("This shift is cancelled"), _("You do not need to come."), ok=False, shift=_summary(shift))
    if signup.status != SignupStatus.CONFIRMED:
        return Outcome(_("You are no longer on this shift"), _("Nothing more to do."), ok=False,
                       shift=_summary(shift))
    return None


def preview_reply(session, answer: str, token: str) -> Outcome:
    signup, _user = _load_signup(session, answer, token)
    now = utcnow()
    closed = _closed(signup, now)
    if closed:
        return closed
    shift = signup.shift
    if answer == "coming":
        return Outcome(_("Are you coming?"), _("Tap the button to tell the coordinators you are coming."),
                       button=_("Yes, I'm coming"), shift=_summary(shift))
    if signup.cancel_requested_at is not None:
        return Outcome(_("You have already asked to cancel"), _("A coordinator will answer."), shift=_summary(shift))
    if now <= rules.cancel_cutoff_at(shift):
        return Outcome(_("Can't make it?"), _("Tap the button to give up your place; the next person on the "
                                              "waitlist gets it."), button=_("Cancel my place"), shift=_summary(shift))
    return Outcome(_("Can't make it?"), _("It is past the time to cancel yourself. Tap the button and the "
                                          "coordinators are told at once."), button=_("Tell the coordinators"),
                   shift=_summary(shift))


def _tell_coordinators(session, signup: Signup, now: dt.datetime) -> None:
    coordinators = session.scalars(sa.select(User.id).where(
        User.role.in_((Role.COORDINATOR, Role.ADMIN)), User.is_active.is_(True), User.erased_at.is_(None)))
    for uid in coordinators:
        n = Notification(key=f"cancelreq:{signup.id}:{uid}:{int(now.timestamp())}", kind=Kind.CANCEL_REQUESTED,
                         user_id=uid, shift_id=signup.shift_id, signup_id=signup.id,
                         shift_version=signup.shift.version, due_at=now, data={})
        session.add(n)
        session.flush()
        queue.enqueue(session, collect.SEND_JOB, n.id, job_id=collect.job_id(n.id, 0))


def reply(session, answer: str, token: str) -> Outcome:
    signup, user = _load_signup(session, answer, token)
    now = utcnow()
    signups.lock_shift(session, signup.shift_id)
    signup = session.get(Signup, signup.id, populate_existing=True)
    closed = _closed(signup, now)
    if closed:
        return closed
    shift = signup.shift
    if answer == "coming":
        if session.get(Reply, signup.id) is None:
            session.add(Reply(signup_id=signup.id, answer="coming", answered_at=now))
            session.flush()
        return Outcome(_("Thank you!"), _("The coordinators see that you are coming."), shift=_summary(shift))
    if signup.cancel_requested_at is not None:
        return Outcome(_("You have already asked to cancel"), _("A coordinator will answer."), shift=_summary(shift))
    try:
        if now <= rules.cancel_cutoff_at(shift):
            signups.cancel(session, signup, by=user)
            return Outcome(_("Your place is cancelled"), _("Thank you for telling us in time."),
                           shift=_summary(shift))
        signups.request_cancellation(session, signup, reason=_("Sent from the reminder email."), by=user)
    except DomainError as exc:
        return Outcome(_("That did not work"), str(exc), ok=False, shift=_summary(shift))
    _tell_coordinators(session, signup, now)
    return Outcome(_("The coordinators are told"), _("They will find someone else or get in touch with you."),
                   shift=_summary(shift))


def _load_cover(session, token: str) -> tuple[CoverRequest, User]:
    request_id, user_id = replies.read_token(token, "take")
    request = session.get(CoverRequest, request_id)
    user = session.get(User, user_id)
    if request is None or user is None or user.erased_at is not None:
        raise replies.BadLink()
    return request, user


def _filled() -> Outcome:
    return Outcome(_("Thank you for offering!"), _("Someone has already taken this gap, so nothing is needed from "
                                                   "you this time."))


def preview_cover(session, token: str) -> Outcome:
    request, user = _load_cover(session, token)
    if request.starts_at <= utcnow():
        return Outcome(_("This link has expired"), _("The shift has started."), ok=False)
    shift = replies.open_shift_for(session, request, user)
    if shift is None:
        return _filled()
    return Outcome(_("Can you take this shift?"), _("Tap the button and you are signed up."),
                   button=_("I'll take it"), shift=_summary(shift))


def take_cover(session, token: str) -> Outcome:
    request, user = _load_cover(session, token)
    now = utcnow()
    if request.starts_at <= now:
        return Outcome(_("This link has expired"), _("The shift has started."), ok=False)
    shift = replies.open_shift_for(session, request, user, now)
    if shift is None:
        return _filled()
    shift = signups.lock_shift(session, shift.id)
    if shift.confirmed_count >= shift.capacity_max:
        return _filled()
    try:
        signup = signups.sign_up(session, shift, user, by=user)
    except DomainError as exc:
        return Outcome(_("That did not work"), str(exc), ok=False, shift=_summary(shift))
    if signup.status != SignupStatus.CONFIRMED:
        return _filled()
    return Outcome(_("You are signed up. Thank you!"), _("You will get a confirmation by email."),
                   shift=_summary(shift))
