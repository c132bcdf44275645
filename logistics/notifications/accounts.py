"""Account emails (invitation, password reset, "you already have an account", application
answers) go through notification rows like every other message: written in the
transaction that asks for them, sent after it commits, retried, visible to admins."""
from __future__ import annotations

import secrets

from logistics import queue
from logistics.clock import utcnow
from logistics.notifications import collect
from logistics.notifications.models import Kind, Notification
from logistics.people.models import User


def record(session, job: str, user: User) -> Notification:
    """A row for the account email ``job`` (a name in people.jobs.ACCOUNT_EMAILS) to ``user``."""
    from logistics.people.jobs import ACCOUNT_EMAILS

    if job not in ACCOUNT_EMAILS:
        raise ValueError(f"unknown account email {job!r}")
    now = utcnow()
    n = Notification(key=f"account:{job}:{user.id}:{int(now.timestamp())}:{secrets.token_hex(4)}",
                     kind=Kind.ACCOUNT, user_id=user.id, due_at=now, data={"job": job})
    session.add(n)
    session.flush()
    queue.enqueue(session, collect.SEND_JOB, n.id, job_id=collect.job_id(n.id, 0))
    return n
