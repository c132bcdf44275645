"""Words for notification kinds, statuses and feed kinds (never the codes themselves)."""
from flask_babel import lazy_gettext as _l

from logistics.notifications.models import FeedKind, Kind, Status

KIND_LABELS = {
    Kind.SIGNUP_CONFIRMED: _l("Sign-up confirmation"), Kind.PROMOTED: _l("Moved up from the waitlist"),
    Kind.SHIFT_CHANGED: _l("Shift changed"), Kind.SHIFT_CANCELLED: _l("Shift cancelled"),
    Kind.REMOVED: _l("Taken off a shift"), Kind.COVER_REQUESTED: _l("Request to cover a gap"),
    Kind.REMINDER: _l("Reminder"), Kind.CANCEL_REQUESTED: _l("Can't make it (to coordinators)"),
    Kind.DIGEST: _l("Morning summary"), Kind.LEDGER_ALERT: _l("Stock ledger alert"), Kind.TEST: _l("Test email"),
    Kind.NOT_BACK: _l("Not back safe (to coordinators)"),
    Kind.ACCOUNT: _l("Account email (invitation, password, application)"),
}
STATUS_LABELS = {
    Status.PENDING: _l("Waiting"), Status.SENDING: _l("Sending"), Status.SENT: _l("Sent"),
    Status.FAILED: _l("Failed"), Status.SKIPPED: _l("Not needed"),
}
FEED_LABELS = {FeedKind.MINE: _l("My shifts"), FeedKind.OPEN: _l("Open shifts I can take"),
               FeedKind.ALL: _l("The whole schedule")}


def template_helpers() -> dict:
    return {
        "notification_kind_label": lambda k: KIND_LABELS.get(k, ""),
        "notification_status_label": lambda s: STATUS_LABELS.get(s, ""),
        "feed_kind_label": lambda k: FEED_LABELS.get(k, ""),
    }
