"""Signed, expiring, single-use links (invitation, password reset).

A token carries the user id and a digest of the user's security stamp. Setting a password
rotates the stamp, so a link works once; re-inviting rotates it too, so older links die.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.people.models import User

INVITATION = "invitation"
PASSWORD_RESET = "password-reset"
MAX_AGE = {INVITATION: 7 * 24 * 3600, PASSWORD_RESET: 3600}


class TokenInvalid(DomainError):
    status = 400


class TokenExpired(TokenInvalid):
    pass


class _ClockSigner(TimestampSigner):
    """Stamps and ages links with logistics.clock (itsdangerous reads time.time() itself)."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"logistics.{purpose}",
                                  signer=_ClockSigner)


def _stamp_digest(user: User) -> str:
    return hashlib.sha256(user.security_stamp.encode()).hexdigest()[:20]


def make(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "s": _stamp_digest(user)})


def read(session, token: str, purpose: str) -> User:
    """Return the user a valid token names, or raise TokenExpired / TokenInvalid."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise TokenExpired(str(_l("This link has expired. Ask for a new one."))) from None
    except BadSignature:
        raise TokenInvalid(str(_l("This link is not valid. Check that you copied all of it."))) from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.erased_at is not None or data.get("s") != _stamp_digest(user):
        raise TokenInvalid(str(_l("This link has already been used or is no longer valid.")))
    return user
