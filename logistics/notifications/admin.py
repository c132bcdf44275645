"""The admins' view of the notification rows, and retrying a failed one."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics import queue
from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.notifications import collect
from logistics.notifications.models import Notification, Status
from logistics.people.models import User


def page(session, *, status: Status | None, page: int, per_page: int) -> tuple[list[Notification], int]:
    stmt = sa.select(Notification)
    count = sa.select(sa.func.count()).select_from(Notification)
    if status is not None:
        stmt, count = stmt.where(Notification.status == status), count.where(Notification.status == status)
    rows = session.scalars(stmt.options(joinedload(Notification.user), joinedload(Notification.shift))
                           .order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(rows.unique()), session.scalar(count)


def counts(session) -> dict[Status, int]:
    found = dict(session.execute(sa.select(Notification.status, sa.func.count()).group_by(Notification.status)).all())
    return {s: found.get(s, 0) for s in Status}


def retry(session, n: Notification, *, by: User) -> bool:
    """A failed (or skipped) row back to pending, with its attempts reset, and queued."""
    if n.status not in (Status.FAILED, Status.SKIPPED):
        return False
    before = n.status.value
    n.status, n.attempts, n.due_at, n.last_error = Status.PENDING, 0, utcnow(), None
    session.flush()
    retry_id = f"{collect.job_id(n.id, 0)}-retry-{int(utcnow().timestamp())}"
    queue.enqueue(session, collect.SEND_JOB, n.id, job_id=retry_id)
    audit.record(session, by=by, action="notification.retried", entity="notification", entity_id=n.id,
                 changes={"status": [before, "pending"]})
    return True
