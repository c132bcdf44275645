"""Organisation settings: defaults in code, changes by an admin kept in the database."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from logistics.clock import utcnow
from logistics.db import Base

if TYPE_CHECKING:
    from logistics.people.models import User

#: Every setting with its default. Later areas add theirs here so one page lists them all.
DEFAULTS: dict[str, Any] = {
    # Two-factor login is required for coordinators and admins.
    "require_2fa_privileged": True,
    # Accounts with no login for this many months are listed for an admin to erase.
    "retention_months": 24,
    # Shifts: wellbeing limits and hotline coverage.
    "shifts_hotline_max_hours_per_week": 12,
    "shifts_rest_after_night_hours": 11,
    "shifts_hotline_staff_needed": 1,
    # Stock lists and digests warn about lots expiring within this many days.
    "stock_expiry_warning_days": 30,
    # Street outreach: coordinators are alerted when someone has not checked out this many
    # minutes after the shift ended.
    "outreach_checkout_grace_minutes": 30,
}


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _request_cache() -> dict[str, Any] | None:
    """This request's settings (flask.g), read once by the first :func:`get`; None outside a
    request (jobs, commands), which read the database each time. blueprints.web drops it when
    the request ends."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    return g.get("_settings")


def get(session, key: str) -> Any:
    """Return the setting ``key``, or its default. In a request every setting is read in the
    first call (one query) and kept for the rest of the request."""
    from flask import g, has_request_context

    cached = _request_cache()
    if cached is not None:
        return cached[key]
    if has_request_context():
        g._settings = get_all(session)
        return g._settings[key]
    row = session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


#: Every stored setting as (key, value) rows: built once, read as rows (no objects), since a
#: page that needs one setting reads them all (:func:`get`).
_ALL = sa.select(Setting.key, Setting.value)


def get_all(session) -> dict[str, Any]:
    values = dict(DEFAULTS)
    for key, value in session.execute(_ALL):
        if key in values:
            values[key] = value
    return values


def forget_request_cache() -> None:
    from flask import g, has_request_context

    if has_request_context():
        g.pop("_settings", None)


def set_value(session, key: str, value: Any, *, by: User | None = None) -> None:
    """Change a setting, with an audit entry."""
    from logistics.audit import services as audit

    if key not in DEFAULTS:
        raise KeyError(key)
    before = get(session, key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    cached = _request_cache()
    if cached is not None:
        cached[key] = value
    if before != value:
        audit.record(session, by=by, action="setting.changed", entity="setting", entity_id=key,
                     changes={key: [before, value]})
    session.flush()


def set_many(session, values: dict[str, Any], *, by: User | None = None) -> None:
    """Change several settings at once; each change has its own audit entry."""
    for key, value in values.items():
        set_value(session, key, value, by=by)
