"""Administration: users and roles, qualifications, the audit trail, settings, the outbox."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
