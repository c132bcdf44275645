"""Password rules (ASVS 2.1: length, no composition rules, not a common password) and hashing."""
from __future__ import annotations

import functools
import gzip
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2-cffi's defaults (Argon2id, RFC 9106 low-memory profile)
#: A hash of nothing in particular, so that a login for an unknown address costs the same time.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def use_fast_hashing_for_tests() -> None:
    """Cheap Argon2id parameters (config PASSWORD_HASH_FAST, tests only): the suite logs in
    thousands of times. Production never sets it; hashes made this way are rehashed with the
    defaults at the next login in production."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not a password anyone has")


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Return why ``password`` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        return str(_l("This password is too common. Choose another one."))
    for own in (email, (email or "").split("@")[0], name):
        if own and len(own) >= 4 and own.lower() in lowered and len(lowered) - len(own) < 6:
            return str(_l("Do not build the password from your name or email address."))
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Check ``password``; always spends the time of one hash check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
