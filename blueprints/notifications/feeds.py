"""The calendar feed (by token, no login) and one shift's .ics download."""
from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from blueprints.access import allow, public
from blueprints.notifications import bp
from logistics.extensions import db, limiter
from logistics.notifications import feeds, ical
from logistics.people.models import Role
from logistics.shifts.models import Shift, Signup

CALENDAR = "text/calendar; charset=utf-8"


def _feed_key() -> str:
    # Per token (hashed), so one busy calendar does not slow down the rest of an office.
    return "feed:" + feeds.hash_token(request.view_args.get("token", ""))[:16]


@bp.route("/calendar/<token>.ics")
@public
@limiter.limit("60 per hour", key_func=_feed_key)
@limiter.limit("600 per hour")
def feed(token: str):
    found = feeds.find(db.session, token)
    if found is None:
        abort(404)
    etag = feeds.fingerprint(db.session, found)
    headers = {"ETag": f'"{etag}"', "Cache-Control": "private, max-age=0, must-revalidate"}
    feeds.touch(db.session, found)
    db.session.commit()
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    body = feeds.render(db.session, found)
    return Response(body, status=200, headers={**headers, "Content-Type": CALENDAR,
                                               "Content-Disposition": 'inline; filename="shifts.ics"'})


@bp.route("/shifts/<int:shift_id>/calendar.ics")
@allow(Role.VOLUNTEER)
def shift_ics(shift_id: int):
    """'Add to my calendar': one shift as an invitation, for the people on it and staff."""
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    on_it = db.session.query(Signup.id).filter_by(shift_id=shift.id, user_id=current_user.id).first()
    if not on_it and not current_user.has_role(Role.STAFF) and shift.activity.is_discreet:
        abort(404)
    body = ical.invitation(shift, method="PUBLISH")
    return Response(body, headers={"Content-Type": CALENDAR,
                                   "Content-Disposition": f'attachment; filename="shift-{shift.id}.ics"'})
