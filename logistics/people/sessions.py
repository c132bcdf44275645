"""Server-side login sessions: created at login, revocable, with idle and absolute timeouts."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics.clock import utcnow
from logistics.people.models import User, UserSession

#: How often last_seen_at is written; reading a page does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def describe_agent(user_agent: str | None) -> str:
    """A short, non-identifying description of a browser ("Chrome on Android")."""
    ua = (user_agent or "").lower()
    browser = next((name for key, name in (
        ("edg/", "Edge"), ("firefox", "Firefox"), ("chrome", "Chrome"), ("chromium", "Chromium"),
        ("safari", "Safari")) if key in ua), "Browser")
    system = next((name for key, name in (
        ("android", "Android"), ("iphone", "iPhone"), ("ipad", "iPad"), ("windows", "Windows"),
        ("mac os", "macOS"), ("linux", "Linux")) if key in ua), "")
    return f"{browser} on {system}" if system else browser


def create(session, user: User, user_agent: str | None = None) -> str:
    """Start a session for ``user``; return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_hash(token), user_agent=describe_agent(user_agent)))
    user.last_login_at = utcnow()
    session.flush()
    return token


@functools.cache
def _live() -> sa.Select:
    """The live session by its token's hash, with the person: every page reads them (role,
    language), once; built once per process (every request asks it)."""
    return (sa.select(UserSession).options(joinedload(UserSession.user))
            .where(UserSession.token_hash == sa.bindparam("token_hash"), UserSession.ended_at.is_(None)))


def load(session, token: str, *, idle: dt.timedelta, absolute: dt.timedelta) -> UserSession | None:
    """Return the live session for ``token`` (ending it if it timed out), or None."""
    if not token:
        return None
    row = session.scalar(_live(), {"token_hash": _hash(token)})
    if row is None:
        return None
    now = utcnow()
    user = row.user
    if (now - row.last_seen_at > idle or now - row.created_at > absolute
            or not user.is_active or user.erased_at is not None):
        end(session, row)
        return None
    return row


def needs_touch(row: UserSession) -> bool:
    return utcnow() - row.last_seen_at >= TOUCH_EVERY


def touch(session, row: UserSession) -> None:
    row.last_seen_at = utcnow()
    session.flush()


def end(session, row: UserSession) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()
        session.flush()


def end_all(session, user_id: int, *, except_id: int | None = None) -> int:
    """End every live session of a user (all but ``except_id``); return how many ended."""
    stmt = (
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if except_id is not None:
        stmt = stmt.where(UserSession.id != except_id)
    return session.execute(stmt).rowcount


def end_own(session, user_id: int, session_id: int) -> None:
    """End one live session of ``user_id``; a session of someone else is "not found"."""
    from flask_babel import lazy_gettext as _l

    from logistics.errors import NotFound

    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user_id or row.ended_at is not None:
        raise NotFound(str(_l("This session has already ended.")))
    end(session, row)


def active(session, user_id: int) -> list[UserSession]:
    return list(session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ))
