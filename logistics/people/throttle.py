"""The per-account login throttle, in the database (it keeps working when Redis is down).

Only failures count. A browser that has logged in as the account before carries a device
cookie (OWASP's "device cookies"): its failures are counted apart from everyone else's, so
ten wrong guesses by strangers lock out strangers, not the owner on their own phone; and a
device that guesses wrong itself is locked out on its own.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from limits import parse

from logistics.clock import utcnow
from logistics.people.models import LoginFailure


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def account_key(email: str) -> str:
    from logistics.people.services import normalise_email

    return _digest(normalise_email(email))


def device_key(nonce: str | None) -> str | None:
    return None if not nonce else _digest(nonce)


def rule(limit: str) -> tuple[int, dt.timedelta]:
    """("10 per 15 minutes") → (10, 15 minutes), in the rate limiter's own notation."""
    item = parse(limit)
    return item.amount, dt.timedelta(seconds=item.get_expiry())


def is_throttled(session, *, email: str, device_nonce: str | None, limit: str) -> bool:
    """True when this account, from this kind of browser, has failed too often lately."""
    amount, window = rule(limit)
    device = device_key(device_nonce)
    stmt = sa.select(sa.func.count(LoginFailure.id)).where(
        LoginFailure.account == account_key(email), LoginFailure.at > utcnow() - window,
        LoginFailure.device.is_(None) if device is None else LoginFailure.device == device)
    return session.scalar(stmt) >= amount


def record_failure(session, *, email: str, device_nonce: str | None) -> None:
    session.add(LoginFailure(account=account_key(email), device=device_key(device_nonce)))
    session.flush()


def prune(session, *, older_than: dt.timedelta) -> int:
    """Delete failures past every window; return how many."""
    result = session.execute(sa.delete(LoginFailure).where(LoginFailure.at < utcnow() - older_than))
    return result.rowcount or 0
