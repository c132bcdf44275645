"""Communal cooking pages: the events, planning one with its cook shift, an event's page
(use-soon suggestions, drawing ingredients, the diners, cancelling)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cooking", __name__, url_prefix="/cooking")

from blueprints.cooking import events  # noqa: E402, F401
