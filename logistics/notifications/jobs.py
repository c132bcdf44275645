"""RQ entry points of the notification area. Jobs take ids and load fresh state."""
from __future__ import annotations

from logistics.extensions import db
from logistics.jobs import app_context
from logistics.notifications import collect
from logistics.notifications import send as sending


@app_context
def send(notification_id: int) -> str | None:
    """Claim and send one notification row (see :mod:`logistics.notifications.send`)."""
    status = sending.deliver(db.session, notification_id)
    return status.value if status is not None else None


@app_context
def sweep() -> dict:
    """The minute sweep: events and due reminders into rows, due rows onto the queue."""
    return collect.sweep(db.session)


@app_context
def digests() -> int:
    """From 07:00 local, once a day: the morning summaries."""
    from logistics.notifications import digests as module

    return module.make_digests(db.session)


@app_context
def check_ledger() -> int:
    """Nightly: verify the stock ledger; tell the admins of any drift."""
    from logistics.notifications import digests as module

    return module.check_ledger(db.session)
