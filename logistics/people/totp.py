"""Two-factor login with TOTP (RFC 6238): enrolment, single-use codes, recovery codes."""
from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.people.models import RecoveryCode, User

RECOVERY_CODES = 10


class InvalidCode(DomainError):
    pass


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _matching_step(secret: str, code: str) -> int | None:
    """Return the time step ``code`` belongs to (now ±1 step for clock drift), or None."""
    # ASCII digits only: "²" is a digit to str.isdigit(), and compare_digest refuses non-ASCII text.
    code = "".join(ch for ch in code if ch in "0123456789")
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def confirm_enrolment(session, user: User, secret: str, code: str) -> list[str]:
    """Switch TOTP on once the person proves their app has ``secret``; return recovery codes."""
    step = _matching_step(secret, code)
    if step is None:
        raise InvalidCode(str(_l("That code is not right. Check the time on your phone and try again.")), field="code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(session, user)
    audit.record(session, by=user, action="user.2fa_enabled", entity="user", entity_id=user.id)
    session.flush()
    return codes


def _replace_recovery_codes(session, user: User) -> list[str]:
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    return codes


def new_recovery_codes(session, user: User) -> list[str]:
    codes = _replace_recovery_codes(session, user)
    audit.record(session, by=user, action="user.recovery_codes_renewed", entity="user", entity_id=user.id)
    session.flush()
    return codes


def verify(session, user: User, code: str) -> None:
    """Accept a TOTP code once, or an unused recovery code; raise InvalidCode otherwise.

    The step is claimed with a conditional UPDATE, so the same code sent twice at the same
    moment is accepted once.
    """
    message = str(_l("That code is not right, or it has been used already."))
    if not user.has_totp:
        raise InvalidCode(message, field="code")
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        claimed = session.execute(
            sa.update(User)
            .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed == 1:
            user.totp_last_step = step
            return
        raise InvalidCode(message, field="code")
    used = session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise InvalidCode(message, field="code")
    audit.record(session, by=user, action="user.recovery_code_used", entity="user", entity_id=user.id)


def remaining_recovery_codes(session, user: User) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def required_for(session, user: User) -> bool:
    """Coordinators and admins must use two-factor login while the setting says so."""
    from logistics import settings
    from logistics.people.models import Role

    return user.has_role(Role.COORDINATOR) and bool(settings.get(session, "require_2fa_privileged"))


def disable_own(session, user: User, *, password: str) -> None:
    """Switch off one's own two-factor login, confirmed with the password; refused where the
    role requires it."""
    from logistics.people import passwords

    if not user.has_totp:
        raise DomainError(str(_l("Two-factor login is already off.")))
    if required_for(session, user):
        raise DomainError(str(_l("Your role requires two-factor login, so it cannot be switched off.")))
    if not passwords.verify(user.password_hash, password or ""):
        raise DomainError(str(_l("Your current password is not right.")), field="password")
    disable(session, user, by=user)


def reset(session, user: User, *, by: User) -> None:
    """An admin switches off someone else's two-factor login (a lost phone and lost codes);
    where the role requires it, they set it up again at their next login."""
    if user.id == by.id:
        raise DomainError(str(_l("Use your own security page to change your two-factor login.")))
    if not user.has_totp:
        raise DomainError(str(_l("Two-factor login is already off.")))
    disable(session, user, by=by)


def disable(session, user: User, *, by: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(session, by=by, action="user.2fa_disabled", entity="user", entity_id=user.id)
    session.flush()
