"""One-time form tokens: every rendered form carries a fresh token; the first submit claims
it in the same transaction as the change it makes, so a repeat (a double click, a resent
form, five identical requests at once) changes nothing and can show what the first did.

The web layer claims the token before the view runs (``blueprints/once.py``); the view's
commit spends it, and a view that fails leaves it unspent. Nothing here knows about areas:
an area keeps what it recorded as ``result`` (stock: the movement ids) to show on a repeat.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from logistics.clock import utcnow
from logistics.db import Base
from logistics.errors import Conflict, DomainError

if TYPE_CHECKING:
    from logistics.people.models import User

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class FormToken(Base):
    """A one-time token carried by a rendered form; a repeat submit finds it used."""

    __tablename__ = "form_token"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    used_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: What the submit recorded, for the page shown on a repeat (stock: the movement ids).
    result: Mapped[Any] = mapped_column(sa.JSON, default=list)
    #: Where the first submit went afterwards.
    next_url: Mapped[str | None] = mapped_column(sa.String(300))


class AlreadyRecorded(Conflict):
    """The form's one-time token was used before: nothing new is recorded."""

    def __init__(self, token: FormToken):
        self.token = token
        super().__init__(str(_l("This form was already sent; it was recorded once, not twice.")))


def claim(session, token: str | None, *, by: User | None) -> FormToken:
    """Mark a form's one-time token used, or raise AlreadyRecorded when it was used before."""
    if not token or not TOKEN_RE.match(token):
        raise DomainError(str(_l("The form is incomplete. Reload the page and try again.")))
    existing = session.get(FormToken, token)
    if existing is not None:
        raise AlreadyRecorded(existing)
    row = FormToken(token=token, used_by_id=getattr(by, "id", None), used_at=utcnow(), result=[])
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request with the same token committed first (PostgreSQL waits for it).
        session.expire_all()
        raise AlreadyRecorded(session.get(FormToken, token)) from None
    return row


#: The longest place to link back to that a token keeps (its column's length).
NEXT_URL_LENGTH = 300


def bounded_next_url(url: str | None) -> str | None:
    """Where a submit went, to keep on its token: as it is when it fits, else without its
    query string (a filter too long to keep, such as a hostile value sent back in the
    redirect), else nothing. Never cut: half a URL (or half a %-escape) is a broken link."""
    if not url:
        return None
    if len(url) <= NEXT_URL_LENGTH:
        return url
    path = url.split("?", 1)[0]
    return path if len(path) <= NEXT_URL_LENGTH else None


def record_result(token: FormToken, result: Any, next_url: str | None = None) -> None:
    """Keep what the claimed submit recorded and where it went, to show on a repeat."""
    token.result = result
    if next_url is not None:
        token.next_url = bounded_next_url(next_url)


def prune(session, *, older_than: dt.timedelta) -> int:
    """Forget tokens used long ago (a form that old is not resent by a double click)."""
    result = session.execute(sa.delete(FormToken).where(FormToken.used_at < utcnow() - older_than))
    return result.rowcount or 0
