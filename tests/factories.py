"""Factories for test data. Each returns a flushed object in the app's session."""
from __future__ import annotations

import functools
import itertools

import pyotp

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.people import passwords
from logistics.people.models import Qualification, Role, User, UserQualification

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    # Hashing with argon2 once per test run keeps the suite fast; the hash is real.
    return passwords.hash_password(PASSWORD)


def user(role: str | Role = "volunteer", *, email: str | None = None, full_name: str | None = None,
         approved: bool = True, active: bool = True, password: bool = True, totp: bool | None = None,
         **fields) -> User:
    """A user who can log in with PASSWORD. Coordinators and admins get two-factor login
    (``totp=True``) unless ``totp=False``, as the default setting requires it for them."""
    n = next(_seq)
    if totp is None:
        totp = Role(role).at_least(Role.COORDINATOR)
    full_name = full_name or f"Test Person{n}"
    u = User(
        email=(email or f"person{n}@example.org").lower(),
        full_name=full_name,
        display_name=fields.pop("display_name", full_name.split(" ")[0]),
        role=Role(role),
        is_active=active,
        approved_at=utcnow() if approved else None,
        password_hash=_password_hash() if password else None,
        **fields,
    )
    if totp:
        u.totp_secret = pyotp.random_base32()
        u.totp_enabled_at = utcnow()
    db.session.add(u)
    db.session.flush()
    return u


def qualification(code: str | None = None, **fields) -> Qualification:
    n = next(_seq)
    code = code or f"qual{n}"
    q = Qualification(code=code, name_en=fields.pop("name_en", f"Qualification {n}"),
                      name_da=fields.pop("name_da", f"Kvalifikation {n}"), **fields)
    db.session.add(q)
    db.session.flush()
    return q


def grant(u: User, q: Qualification, expires_on=None, by: User | None = None) -> UserQualification:
    uq = UserQualification(user=u, qualification=q, expires_on=expires_on, granted_by_id=by.id if by else None)
    db.session.add(uq)
    db.session.flush()
    return uq


def totp_code(u: User, offset_steps: int = 0) -> str:
    """The current TOTP code of ``u`` (optionally a step before or after)."""
    t = pyotp.TOTP(u.totp_secret)
    return t.generate_otp(t.timecode(utcnow()) + offset_steps)
