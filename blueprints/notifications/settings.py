"""A person's notification settings, calendar feeds and the test email (profile section)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import apply_error, options
from blueprints.notifications import bp
from blueprints.notifications.forms import NO_QUIET, ConfirmForm, FeedForm, SettingsForm
from blueprints.notifications.labels import FEED_LABELS
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.notifications import feeds, preferences
from logistics.notifications.models import NOTICE_GROUPS, CalendarFeed
from logistics.people.models import Role


def _feed_kinds():
    return options([(k.value, FEED_LABELS[k]) for k in feeds.allowed_kinds(current_user)])


def _time(value: str | None) -> dt.time | None:
    if not value or value == NO_QUIET:
        return None
    return dt.time.fromisoformat(value)


def _settings_form() -> SettingsForm:
    pref = preferences.get(db.session, current_user)
    return SettingsForm(data={
        "offsets": list(pref.offsets or []),
        "quiet_start": pref.quiet_start.strftime("%H:00") if pref.quiet_start else NO_QUIET,
        "quiet_end": pref.quiet_end.strftime("%H:00") if pref.quiet_end else NO_QUIET,
        "wanted": [g for g in NOTICE_GROUPS if g not in (pref.muted or [])],
    })


def _qr(url: str | None):
    """The feed address as an inline SVG QR code, for a phone's camera (no script, no style)."""
    if not url:
        return None
    import segno
    from markupsafe import Markup

    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", title=None)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1))  # noqa: S704 - segno's own output


def _page(form=None, feed_form=None, status=200, new_url=None):
    form = form or _settings_form()
    feed_form = feed_form or FeedForm()
    feed_form.kind.choices = _feed_kinds()
    return render_template("notifications/settings.html", form=form, feed_form=feed_form,
                           feeds=feeds.list_for(db.session, current_user), new_url=new_url, qr=_qr(new_url),
                           button=ConfirmForm(), is_staff=current_user.has_role(Role.STAFF)), status


@bp.route("/account/notifications", methods=["GET", "POST"])
@allow(Role.VOLUNTEER)
def settings():
    form = _settings_form()
    if form.validate_on_submit():
        preferences.save(db.session, current_user, offsets=form.offsets.data,
                         quiet_start=_time(form.quiet_start.data), quiet_end=_time(form.quiet_end.data),
                         wanted=form.wanted.data, by=current_user)
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return _page(form=form, status=422 if form.errors else 200)


@bp.route("/account/notifications/test", methods=["POST"])
@allow(Role.VOLUNTEER)
def test_email():
    if ConfirmForm().validate_on_submit():
        preferences.send_test(db.session, current_user)
        db.session.commit()
        flash(_("A test email is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("notifications.settings"))


@bp.route("/account/feeds", methods=["POST"])
@allow(Role.VOLUNTEER)
def feed_new():
    form = FeedForm()
    form.kind.choices = _feed_kinds()
    if form.validate_on_submit():
        try:
            _feed, token = feeds.create(db.session, current_user, form.kind.data, form.label.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            # Shown once, on this page (never in a redirect or a cookie); only its hash is kept.
            return _page(new_url=feeds.url(token))
    return _page(feed_form=form, status=422)


@bp.route("/account/feeds/<int:feed_id>/revoke", methods=["POST"])
@allow(Role.VOLUNTEER)
def feed_revoke(feed_id: int):
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.user_id != current_user.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        feeds.revoke(db.session, feed, by=current_user)
        db.session.commit()
        flash(_("The feed is revoked; calendars subscribed to it get nothing more."), "success")
    return redirect(url_for("notifications.settings") + "#feeds")
