"""Notification pages: a person's settings and feeds, one-tap replies and cover links
(no login), the calendar feed and one shift's .ics, and the admins' notifications list."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from blueprints.notifications import labels  # noqa: E402

bp.app_context_processor(labels.template_helpers)

from blueprints.notifications import admin, feeds, replies, settings  # noqa: E402,F401  (routes on bp)
