"""RQ entry points for outreach: the not-back-safe sweep. Its emails are notification rows,
sent by the notification area's send job (see :mod:`logistics.outreach.checkouts`)."""
from __future__ import annotations

from logistics.extensions import db
from logistics.jobs import app_context
from logistics.outreach import checkouts


@app_context
def alert_not_back() -> int:
    """The periodic sweep: alert once per street outreach shift with someone not back safe."""
    return checkouts.alert_due(db.session)
