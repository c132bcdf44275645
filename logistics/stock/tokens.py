"""One-time form tokens: a rendered form carries a token; the first submit claims it in the
same transaction as the change it records, so a repeat (a double click, a resent form)
records nothing and can show what the first one recorded.

Self-contained on purpose: nothing here knows about stock beyond the movement ids it keeps.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.clock import utcnow
from logistics.errors import Conflict, DomainError
from logistics.people.models import User
from logistics.stock.models import FormToken

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class AlreadyRecorded(Conflict):
    """The form's one-time token was used before: nothing new is recorded."""

    def __init__(self, token: FormToken):
        self.token = token
        super().__init__(str(_l("This form was already sent; it was recorded once, not twice.")))


def claim_token(session, token: str | None, *, by: User | None) -> FormToken:
    """Mark a form's one-time token used, or raise AlreadyRecorded when it was used before."""
    if not token or not TOKEN_RE.match(token):
        raise DomainError(str(_l("The form is incomplete. Reload the page and try again.")))
    existing = session.get(FormToken, token)
    if existing is not None:
        raise AlreadyRecorded(existing)
    row = FormToken(token=token, used_by_id=by.id if by is not None else None, used_at=utcnow(), movement_ids=[])
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request with the same token committed first (PostgreSQL waits for it).
        session.expire_all()
        raise AlreadyRecorded(session.get(FormToken, token)) from None
    return row


def record_result(token: FormToken, movements, next_url: str | None = None) -> None:
    """Keep what the claimed submit recorded and where it went, to show on a repeat."""
    token.movement_ids = [m.id for m in movements]
    token.next_url = next_url
