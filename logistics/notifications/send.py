"""Sending one notification: claim the row (pending → sending, by a conditional UPDATE),
check that what it is about still stands, send with the row's fixed Message-ID, mark it.

A temporary SMTP failure puts the row back to pending with a back-off (the sweep enqueues it
again when that has passed); a permanent one marks it failed at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib

import sqlalchemy as sa

from logistics import mail
from logistics.clock import utcnow
from logistics.notifications import messages
from logistics.notifications.models import GROUP_OF, Kind, Notification, Preference, Status
from logistics.shifts.models import CoverRequest, Shift, ShiftStatus, Signup, SignupStatus

log = logging.getLogger(__name__)

#: A row left in "sending" this long (its worker died mid-send) may be claimed again
#: (``NOTIFY_STUCK_SECONDS`` changes it).
STUCK_AFTER = dt.timedelta(minutes=5)


def stuck_after() -> dt.timedelta:
    try:
        from flask import current_app

        return dt.timedelta(seconds=int(current_app.config.get("NOTIFY_STUCK_SECONDS", 300)))
    except RuntimeError:  # no app context
        return STUCK_AFTER
#: Waits after the 1st, 2nd, … temporary failure; after the last the row is failed.
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=20),
           dt.timedelta(hours=1), dt.timedelta(hours=3))
MAX_ATTEMPTS = len(BACKOFF) + 1


class PermanentFailure(Exception):
    pass


def claimable(now: dt.datetime):
    """Rows a job may claim now: pending and due, or stuck in sending."""
    return sa.and_(Notification.due_at <= now, sa.or_(
        Notification.status == Status.PENDING,
        sa.and_(Notification.status == Status.SENDING, Notification.claimed_at < now - stuck_after())))


def claim(session, notification_id: int, now: dt.datetime | None = None) -> bool:
    """Take the row for this job; False when another job has it or it is done."""
    now = now or utcnow()
    result = session.execute(
        sa.update(Notification).where(Notification.id == notification_id, claimable(now))
        .values(status=Status.SENDING, claimed_at=now, attempts=Notification.attempts + 1),
        execution_options={"synchronize_session": False})
    return result.rowcount == 1


def _start_of_key(notification: Notification) -> str | None:
    return notification.key.rsplit(":", 1)[-1] if notification.kind == Kind.REMINDER else None


def skip_reason(session, n: Notification, now: dt.datetime) -> str | None:
    """Why the row should not be sent after all (None: send it)."""
    user = n.user
    if n.kind == Kind.ACCOUNT:
        return None  # the account email itself decides (people.jobs.build), when it is built
    if user is None or user.erased_at is not None or not user.is_active:
        return "recipient inactive or erased"
    if n.kind == Kind.NOT_BACK:
        from logistics.outreach import alerts  # the outreach area decides: still not back, not cleared?

        return alerts.skip_reason(session, n, now)
    group = GROUP_OF.get(n.kind)
    if group:
        pref = session.get(Preference, user.id)
        if pref is not None and group in (pref.muted or []):
            return f"{group} switched off"
    if n.shift_id is not None:
        shift = session.get(Shift, n.shift_id)
        if shift is None:
            return "shift deleted"
        if shift.starts_at <= now:
            return "shift already started"
        if n.kind != Kind.SHIFT_CANCELLED and shift.status != ShiftStatus.SCHEDULED:
            return "shift cancelled"
        signup = session.get(Signup, n.signup_id) if n.signup_id else None
        if n.kind in (Kind.REMINDER, Kind.SIGNUP_CONFIRMED, Kind.PROMOTED) and (
                signup is None or signup.status != SignupStatus.CONFIRMED):
            return "no longer signed up"
        if n.kind == Kind.SHIFT_CHANGED and (signup is None or signup.status == SignupStatus.CANCELLED):
            return "no longer signed up"
        if n.kind == Kind.REMOVED and signup is not None and signup.status != SignupStatus.CANCELLED:
            return "signed up again"
        if n.kind == Kind.REMINDER and _start_of_key(n) != str(int(shift.starts_at.timestamp())):
            return "shift moved (a reminder for the new time follows)"
    if n.kind == Kind.DIGEST:
        from logistics.notifications import digests

        return digests.skip_reason(session, n, now)
    if n.kind == Kind.COVER_REQUESTED:
        from logistics.notifications import replies

        request = session.get(CoverRequest, n.cover_request_id) if n.cover_request_id else None
        if request is None or request.starts_at <= now:
            return "cover request gone or past"
        if replies.open_shift_for(session, request, user) is None:
            return "gap already filled"
    return None


def _classify(exc: BaseException) -> str:
    """'permanent' or 'temporary' for a sending error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return "permanent" if codes and all(500 <= c < 600 for c in codes) else "temporary"
    if isinstance(exc, smtplib.SMTPResponseException):
        return "permanent" if 500 <= exc.smtp_code < 600 else "temporary"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "temporary"
    if isinstance(exc, (smtplib.SMTPException, PermanentFailure, ValueError)):
        return "permanent"  # the server cannot do what we ask (no STARTTLS, no AUTH), a bad address
    # Connection refused, timeouts, DNS: the server may be back in a minute.
    return "temporary"


def _error_text(exc: BaseException) -> str:
    # SMTP answers can quote the address: keep the code and the class, not the text.
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = ",".join(str(c) for c, _m in exc.recipients.values())
    return f"{type(exc).__name__}" + (f" {code}" if code else "")


def deliver(session, notification_id: int, **extra) -> Status | None:
    """Claim, check, send and mark one row; commits after the claim and at the end.
    Returns the row's new status (None when it was not ours to send)."""
    now = utcnow()
    if not claim(session, notification_id, now):
        session.rollback()
        return None
    session.commit()  # the claim is visible: a second job now leaves the row alone
    n = session.get(Notification, notification_id, populate_existing=True)
    reason = skip_reason(session, n, now)
    if reason is not None:
        n.status, n.last_error = Status.SKIPPED, reason[:500]
        session.commit()
        log.info("notification %s skipped: %s", n.id, reason)
        return n.status
    try:
        from logistics.notifications import digests, replies
        from logistics.outreach import alerts

        if n.kind == Kind.ACCOUNT:
            from logistics.people import jobs as people_jobs

            built = people_jobs.build((n.data or {}).get("job", ""), n.user_id, message_id=messages.message_id(n))
            if built is None:
                n.status, n.last_error = Status.SKIPPED, "no longer applies"
                session.commit()
                return n.status
            msg, template = built
        else:
            context = {**replies.extra_context(session, n, now), **digests.extra_context(session, n, now),
                       **alerts.context(session, n, now), **extra}
            msg, template = messages.build(n, **context)
        n.message_id = msg["Message-ID"]
        # End the transaction before the network: on SQLite an open write transaction would
        # hold every other writer back for as long as the SMTP server takes.
        session.commit()
        mail.send(msg, template=template)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        session.rollback()
        n = session.get(Notification, notification_id, populate_existing=True)
        n.last_error = _error_text(exc)[:500]
        if _classify(exc) == "permanent" or n.attempts >= MAX_ATTEMPTS:
            n.status = Status.FAILED
            log.warning("notification %s failed: %s", n.id, n.last_error)
        else:
            n.status = Status.PENDING
            n.due_at = utcnow() + BACKOFF[min(n.attempts, len(BACKOFF)) - 1]
            log.info("notification %s will be retried: %s", n.id, n.last_error)
        session.commit()
        return n.status
    n = session.get(Notification, notification_id, populate_existing=True)
    n.status, n.sent_at, n.last_error = Status.SENT, utcnow(), None
    session.commit()
    return n.status
