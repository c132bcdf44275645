"""Admins: every notification with its status, attempts and last error; retry a failed one."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.fields import page_arg
from blueprints.notifications import bp
from blueprints.notifications.forms import ConfirmForm
from logistics.extensions import db
from logistics.notifications import admin as service
from logistics.notifications.models import Notification, Status
from logistics.people.models import Role

PER_PAGE = 50


@bp.route("/admin/notifications")
@allow(Role.ADMIN)
def admin_list():
    raw = request.args.get("status", "")
    status = Status(raw) if raw in {s.value for s in Status} else None
    page = page_arg()
    rows, total = service.page(db.session, status=status, page=page, per_page=PER_PAGE)
    counts = service.counts(db.session)
    return render_template("notifications/admin.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           status=status, statuses=list(Status), counts=counts, form=ConfirmForm())


@bp.route("/admin/notifications/<int:notification_id>/retry", methods=["POST"])
@allow(Role.ADMIN)
def admin_retry(notification_id: int):
    n = db.session.get(Notification, notification_id)
    if n is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if service.retry(db.session, n, by=current_user):
            db.session.commit()
            flash(_("The notification will be sent again."), "success")
        else:
            flash(_("Only a failed or skipped notification can be sent again."), "error")
    return redirect(url_for("notifications.admin_list", status=request.args.get("status") or None))
