"""RQ entry points for outreach: the not-back-safe sweep and its email to the coordinators."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from logistics import mail
from logistics.clock import utcnow
from logistics.extensions import db
from logistics.jobs import app_context
from logistics.outreach import checkouts
from logistics.people.models import Role, User
from logistics.shifts.models import Shift, ShiftStatus
from logistics.urls import external_url


@app_context
def alert_not_back() -> int:
    """The periodic sweep: alert once per street outreach shift with someone not back safe."""
    return checkouts.alert_due(db.session)


def coordinators(session) -> list[User]:
    """Who hears about it: the active coordinators (the admins when there is none)."""
    def of(*roles):
        return list(session.scalars(sa.select(User).where(User.role.in_(roles), User.is_active.is_(True),
                                                          User.erased_at.is_(None)).order_by(User.id)))
    return of(Role.COORDINATOR) or of(Role.ADMIN)


@app_context
def send_not_back_alert(shift_id: int) -> int:
    """Email the coordinators that someone on ``shift_id`` is not back, unless that changed."""
    shift = db.session.get(Shift, shift_id)
    if shift is None or shift.status == ShiftStatus.CANCELLED:
        return 0
    missing_ids = [uid for sid, uid in db.session.execute(checkouts.missing_stmt(utcnow(), checkouts.grace(db.session)))
                   if sid == shift_id]
    if not missing_ids:
        return 0  # back safe or cleared since the sweep: nothing to say
    people = list(db.session.scalars(sa.select(User).where(User.id.in_(missing_ids)).order_by(User.display_name)))
    link = external_url("outreach.not_back")
    # A neutral subject: it shows on lock screens. The body names first names only.
    title = _l("HopeNow shift") if shift.activity.is_discreet else shift.activity.name
    sent = 0
    for person in coordinators(db.session):
        msg = mail.build(person.email, _l("Not back safe from a shift"), "outreach_not_back", locale=person.locale,
                         user=person, org_name=current_app.config["ORG_NAME"], shift=shift, title=title,
                         names=[p.first_name for p in people], link=link)
        mail.send(msg, template="outreach_not_back")
        sent += 1
    return sent
