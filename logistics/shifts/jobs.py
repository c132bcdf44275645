"""RQ entry points for shifts."""
from __future__ import annotations

from logistics.extensions import db
from logistics.jobs import app_context


@app_context
def extend_series() -> int:
    """The periodic sweep: keep every series generated to the rolling 12-week horizon."""
    from logistics.shifts import planning

    return planning.extend_all(db.session)


@app_context
def lapse_begun_requests() -> int:
    """The periodic sweep: unanswered requests to be let off, and offers to swap nobody took,
    lapse once their shift has begun."""
    from logistics.shifts import signups

    lapsed = signups.lapse_begun_requests(db.session)
    db.session.commit()
    return lapsed
