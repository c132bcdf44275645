"""What each notification says: its subject, template, context and invitation.

The same templates serve SMTP and the outbox. A discreet activity is a neutral
"HopeNow shift" with no place in every email, whoever receives it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from logistics import mail
from logistics.i18n import format_datetime, format_span
from logistics.notifications import ical
from logistics.notifications.models import Kind, Notification
from logistics.urls import external_url

#: (subject, the sentence that opens the email) per shift notice; %(title)s is the shift's title.
NOTICES = {
    Kind.SIGNUP_CONFIRMED: (_l("You are signed up: %(title)s"), _l("You are signed up for this shift.")),
    Kind.PROMOTED: (_l("A place opened: you are on %(title)s"),
                    _l("A place opened up and you moved from the waitlist onto this shift.")),
    Kind.SHIFT_CHANGED: (_l("Changed: %(title)s"),
                         _l("The time or place of a shift you are on has changed. This is how it is now.")),
    Kind.SHIFT_CANCELLED: (_l("Cancelled: %(title)s"), _l("This shift has been cancelled. You do not need to come.")),
    Kind.REMOVED: (_l("You are no longer on %(title)s"), _l("A coordinator took you off this shift.")),
    Kind.REMINDER: (_l("Reminder: %(title)s"), _l("A reminder of your shift.")),
}
#: The notices whose invitation cancels the event in the recipient's calendar.
CANCELLING = {Kind.SHIFT_CANCELLED, Kind.REMOVED}


@dataclass
class Content:
    subject: object
    template: str
    context: dict = field(default_factory=dict)
    calendar: tuple[str, bytes] | None = None


def message_id(notification: Notification) -> str:
    """Fixed for the row: a retry sends the same Message-ID, so a duplicate is recognisable."""
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:16]
    return f"<notification-{notification.id}.{digest}@hopenow.invalid>"


def shift_context(shift) -> dict:
    return {
        "title": ical.title(shift),
        "when": format_span(shift.starts_at, shift.ends_at),
        "where": ical.location(shift),
        "shift_link": external_url("shifts.shift", shift_id=shift.id),
    }


def content(notification: Notification, **extra) -> Content:
    """The message for ``notification`` (rendered later in the recipient's language)."""
    kind = notification.kind
    settings_link = external_url("notifications.settings")
    if kind in NOTICES:
        shift = notification.shift
        subject, intro = NOTICES[kind]
        ctx = shift_context(shift)
        method = "CANCEL" if kind in CANCELLING else "REQUEST"
        ics = ical.invitation(shift, method=method, attendee=notification.user.email)
        return Content(subject=(subject, {"title": ctx["title"]}), template="shift_notice",
                       context={**ctx, "intro": intro, "settings_link": settings_link, **extra},
                       calendar=(method, ics))
    if kind == Kind.COVER_REQUESTED:
        return Content(subject=(_l("Can you cover a shift? %(title)s"), {"title": extra.get("title", "")}),
                       template="cover_request", context={"settings_link": settings_link, **extra})
    if kind == Kind.CANCEL_REQUESTED:
        shift = notification.shift
        ctx = shift_context(shift)
        who = notification.signup.user.first_name if notification.signup else ""
        return Content(subject=(_l("Can't make it: %(title)s"), {"title": ctx["title"]}), template="cancel_requested",
                       context={**ctx, "who": who, "staffing_link": external_url("shifts.staffing"),
                                "settings_link": settings_link, **extra})
    if kind == Kind.DIGEST:
        return Content(subject=(_l("Today at %(org)s: what needs attention"), {"org": current_app.config["ORG_NAME"]}),
                       template="digest", context={"settings_link": settings_link, **extra})
    if kind == Kind.LEDGER_ALERT:
        return Content(subject=(_l("Stock balances differ from the ledger"), {}), template="ledger_alert",
                       context={"settings_link": settings_link, **extra})
    if kind == Kind.NOT_BACK:
        # A neutral subject (it shows on lock screens); the outreach area fills in the rest.
        return Content(subject=(_l("Not back safe from a shift"), {}), template="outreach_not_back",
                       context={"settings_link": settings_link, **extra})
    if kind == Kind.TEST:
        return Content(subject=(_l("Test email from %(org)s"), {"org": current_app.config["ORG_NAME"]}),
                       template="test_email", context={"settings_link": settings_link,
                                                       "sent": format_datetime(notification.created_at)})
    org = {"org": current_app.config["ORG_NAME"]}
    return Content(subject=(extra.pop("subject", _l("A message from %(org)s")), org),
                   template=extra.pop("template", "test_email"), context={"settings_link": settings_link, **extra})


def build(notification: Notification, **extra) -> tuple[EmailMessage, str]:
    """The email for ``notification`` in its recipient's language, and its template name."""
    user = notification.user
    with force_locale(user.locale or "en"):
        made = content(notification, **extra)
        subject, values = made.subject
        subject = str(subject) % {k: str(v) for k, v in values.items()} if values else str(subject)
        msg = mail.build(user.email, subject, made.template, locale=user.locale or "en",
                         message_id=message_id(notification), calendar=made.calendar, user=user,
                         org_name=current_app.config["ORG_NAME"], **made.context)
    return msg, made.template
