"""State changes for people: applications, invitations, passwords, profiles, roles,
qualifications, deactivation and erasure. Services flush; the caller commits once."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

from logistics import mail
from logistics.audit import services as audit
from logistics.clock import today, utcnow
from logistics.errors import Conflict, DomainError, NotFound, PermissionDenied
from logistics.people import passwords, sessions, tokens
from logistics.people.models import (
    SPOKEN_LANGUAGES,
    Application,
    ApplicationStatus,
    Qualification,
    RecoveryCode,
    Role,
    User,
    UserLanguage,
    UserQualification,
)

#: Fields an erasure blanks; listed once so export, erasure and tests agree.
PERSONAL_FIELDS = ("email", "full_name", "display_name", "phone", "totp_secret")


class EmailTaken(Conflict):
    def __init__(self):
        super().__init__(str(_l("Someone already uses this email address.")), field="email")


class InvalidCredentials(DomainError):
    status = 401

    def __init__(self):
        super().__init__(str(_l("The email address or password is not right.")))


class WeakPassword(DomainError):
    def __init__(self, message: str):
        super().__init__(message, field="password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


#: Characters a phone number may be written with, besides digits.
PHONE_CHARACTERS = set("0123456789 +-()")
PHONE_DIGITS = (6, 20)


def phone_problem(phone: str | None) -> str | None:
    """Return why ``phone`` is not a phone number we can use, or None (empty is fine)."""
    phone = (phone or "").strip()
    if not phone:
        return None
    digits = sum(ch.isdigit() for ch in phone)
    if set(phone) - PHONE_CHARACTERS or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return str(_l("Write a phone number with %(min)d to %(max)d digits; only digits, spaces, "
                      "+, - and brackets are allowed.", min=PHONE_DIGITS[0], max=PHONE_DIGITS[1]))
    return None


def _not_erased(user: User) -> None:
    if user.erased_at is not None:
        raise Conflict(str(_l("This account has been erased; it cannot be changed.")))


def find_by_email(session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _check_password(password: str, user: User) -> None:
    reason = passwords.problem(password, email=user.email, name=user.full_name)
    if reason:
        raise WeakPassword(reason)


def _set_languages(user: User, codes) -> None:
    wanted = [c for c in dict.fromkeys(codes or []) if c in SPOKEN_LANGUAGES]
    current = {lang.code: lang for lang in user.languages}
    user.languages = [current.get(c) or UserLanguage(code=c) for c in wanted]


def _enqueue_mail(session, job: str, user: User) -> None:
    """An account email, as a notification row (sent after commit, retried, never lost)."""
    from logistics.notifications import accounts

    accounts.record(session, job, user)


# --- applying, approving, inviting -------------------------------------------------------

def _tell_existing(session, user: User) -> None:
    """Someone applied with a known address: its owner hears why nothing new happens."""
    _enqueue_mail(session, "send_account_exists" if user.is_approved else "send_application_exists", user)


def submit_application(session, *, full_name: str, email: str, phone: str | None, languages,
                       availability: str, motivation: str, locale: str = "en") -> User | None:
    """Record an application to volunteer. Returns the new (pending) user.

    When the address already has an account nothing is created and the owner is told by
    email instead, so the public form never reveals which addresses are registered.
    """
    email = normalise_email(email)
    existing = find_by_email(session, email)
    if existing is not None:
        if existing.erased_at is None:
            _tell_existing(session, existing)
        return None
    user = User(email=email, full_name=full_name.strip(), display_name=full_name.strip().split(" ")[0],
                phone=(phone or None), locale=locale, role=Role.VOLUNTEER, is_active=True)
    _set_languages(user, languages)
    user.application = Application(availability=availability.strip(), motivation=motivation.strip())
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except sa.exc.IntegrityError:
        # The same address sent twice at once: the other request made the account.
        existing = find_by_email(session, email)
        if existing is not None:
            _tell_existing(session, existing)
        return None
    audit.record(session, by=None, action="application.submitted", entity="user", entity_id=user.id)
    return user


def decide_application(session, application: Application, *, approve: bool, reason: str | None, by: User) -> None:
    """Approve (the person gets a link to set a password) or reject (a reason is required)."""
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(str(_l("This application has already been decided.")))
    reason = (reason or "").strip() or None
    if not approve and not reason:
        raise DomainError(str(_l("Give a reason for the rejection; it is kept for the coordinators.")),
                          field="reason")
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.decided_by_id = by.id
    application.decided_at = utcnow()
    application.reason = reason
    user = application.user
    if approve:
        user.approved_at = utcnow()
        user.rotate_stamp()
        _enqueue_mail(session, "send_invitation", user)
    else:
        _enqueue_mail(session, "send_application_rejected", user)
    audit.record(session, by=by, action="application.approved" if approve else "application.rejected",
                 entity="user", entity_id=user.id, changes={"status": ["pending", application.status.value],
                                                             **({"reason": reason} if reason else {})})
    session.flush()


#: Roles a coordinator may invite; admins may invite any role.
INVITABLE_BY_COORDINATORS = (Role.VOLUNTEER, Role.STAFF)


def invite(session, *, email: str, full_name: str, role: Role, by: User, locale: str = "en") -> User:
    """Create an approved account and email a link (valid 7 days) to set its password."""
    email = normalise_email(email)
    role = Role(role)
    if not by.has_role(Role.ADMIN) and role not in INVITABLE_BY_COORDINATORS:
        raise PermissionDenied(str(_l("Only an admin can invite coordinators and admins.")), field="role")
    if not full_name.strip():
        raise DomainError(str(_l("Write the person's full name.")), field="full_name")
    if find_by_email(session, email) is not None:
        raise EmailTaken()
    user = User(email=email, full_name=full_name.strip(), display_name=full_name.strip().split(" ")[0],
                role=role, locale=locale, approved_at=utcnow())
    try:
        with session.begin_nested():  # two admins inviting the same address at once
            session.add(user)
            session.flush()
    except sa.exc.IntegrityError:
        raise EmailTaken() from None
    audit.record(session, by=by, action="user.invited", entity="user", entity_id=user.id,
                 changes={"email": email, "role": Role(role).value})
    _enqueue_mail(session, "send_invitation", user)
    return user


def resend_invitation(session, user: User, *, by: User) -> None:
    _not_erased(user)
    if not user.is_active:
        raise Conflict(str(_l("This account is deactivated; reactivate it first.")))
    if user.password_hash is not None:
        raise Conflict(str(_l("This person has already set a password.")))
    user.rotate_stamp()  # the older link stops working
    audit.record(session, by=by, action="user.invitation_resent", entity="user", entity_id=user.id)
    _enqueue_mail(session, "send_invitation", user)
    session.flush()


def accept_invitation(session, token: str, password: str) -> User:
    user = tokens.read(session, token, tokens.INVITATION)
    if not user.is_approved or not user.is_active:
        raise tokens.TokenInvalid(str(_l("This link is no longer valid.")))
    _set_password(session, user, password)
    audit.record(session, by=user, action="user.invitation_accepted", entity="user", entity_id=user.id)
    return user


# --- logging in and passwords ------------------------------------------------------------

def authenticate(session, email: str, password: str) -> User:
    """Return the user for a right email and password; the same error for every failure."""
    user = find_by_email(session, email)
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active or not user.is_approved or user.erased_at:
        raise InvalidCredentials()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def _set_password(session, user: User, password: str) -> None:
    _check_password(password, user)
    user.password_hash = passwords.hash_password(password)
    user.rotate_stamp()
    sessions.end_all(session, user.id)
    session.flush()


def change_password(session, user: User, *, current: str, new: str) -> None:
    """Change a password; every session of the user ends (the caller starts a new one)."""
    if not passwords.verify(user.password_hash, current):
        raise DomainError(str(_l("Your current password is not right.")), field="current_password")
    _set_password(session, user, new)
    audit.record(session, by=user, action="user.password_changed", entity="user", entity_id=user.id)


def request_password_reset(session, email: str) -> None:
    """Send a reset link if the address belongs to an account that can log in; say nothing."""
    user = find_by_email(session, email)
    if user is None or not user.is_active or not user.is_approved or user.erased_at:
        return
    _enqueue_mail(session, "send_password_reset", user)


def reset_password(session, token: str, password: str) -> User:
    user = tokens.read(session, token, tokens.PASSWORD_RESET)
    _set_password(session, user, password)
    audit.record(session, by=user, action="user.password_reset", entity="user", entity_id=user.id)
    return user


# --- profile and administration ----------------------------------------------------------

def update_profile(session, user: User, *, full_name: str, display_name: str | None, phone: str | None,
                   locale: str, languages, by: User) -> None:
    """Change name, phone, interface language and languages spoken, all or nothing."""
    _not_erased(user)
    full_name = (full_name or "").strip()
    if not full_name:
        raise DomainError(str(_l("Write your full name.")), field="full_name")
    problem = phone_problem(phone)
    if problem:
        raise DomainError(problem, field="phone")
    fields = {"full_name": full_name, "display_name": (display_name or "").strip()
              or full_name.split(" ")[0], "phone": (phone or "").strip() or None,
              "locale": locale if locale in ("en", "da") else "en"}
    changes = audit.diff(user, fields)
    before_langs = [lang.code for lang in user.languages]
    for name, value in fields.items():
        setattr(user, name, value)
    _set_languages(user, languages)
    after_langs = [lang.code for lang in user.languages]
    if before_langs != after_langs:
        changes["languages"] = [before_langs, after_langs]
    if changes:
        audit.record(session, by=by, action="user.profile_changed", entity="user", entity_id=user.id,
                     changes=changes)
    session.flush()


def set_role(session, user: User, role: Role, *, by: User) -> None:
    role = Role(role)
    _not_erased(user)
    if user.id == by.id and role != user.role:
        raise DomainError(str(_l("You cannot change your own role; ask another admin.")), field="role")
    if user.role != role:
        audit.record(session, by=by, action="user.role_changed", entity="user", entity_id=user.id,
                     changes={"role": [user.role.value, role.value]})
        user.role = role
        session.flush()


def set_active(session, user: User, active: bool, *, by: User) -> None:
    """Activate or deactivate an account; deactivation ends all its sessions at once."""
    _not_erased(user)
    if user.id == by.id and not active:
        raise DomainError(str(_l("You cannot deactivate your own account.")))
    if user.is_active == active:
        return
    audit.record(session, by=by, action="user.activated" if active else "user.deactivated",
                 entity="user", entity_id=user.id, changes={"is_active": [user.is_active, active]})
    user.is_active = active
    user.rotate_stamp()
    if not active:
        sessions.end_all(session, user.id)
    session.flush()


def grant_qualification(session, user: User, qualification: Qualification | None, *, expires_on: dt.date | None,
                        by: User) -> UserQualification:
    """Grant (or renew) a qualification; ``None`` is a choice that no longer exists."""
    _not_erased(user)
    if qualification is None:
        raise DomainError(str(_l("Choose a qualification.")), field="qualification")
    if not qualification.is_active:
        raise DomainError(str(_l("This qualification is no longer in use.")), field="qualification")
    if expires_on is not None and expires_on < today():
        raise DomainError(str(_l("The expiry date is in the past.")), field="expires_on")
    held = next((q for q in user.qualifications if q.qualification_id == qualification.id), None)
    before = None if held is None else (held.expires_on.isoformat() if held.expires_on else "no expiry")
    if held is None:
        held = UserQualification(user=user, qualification=qualification)
        session.add(held)
    held.granted_by_id = by.id
    held.granted_at = utcnow()
    held.expires_on = expires_on
    audit.record(session, by=by, action="user.qualification_granted", entity="user", entity_id=user.id,
                 changes={"qualification": qualification.code,
                          "expires_on": [before, expires_on.isoformat() if expires_on else "no expiry"]})
    session.flush()
    return held


def revoke_qualification(session, user: User, qualification: Qualification, *, by: User) -> None:
    held = next((q for q in user.qualifications if q.qualification_id == qualification.id), None)
    if held is None:
        raise NotFound(str(_l("This person does not hold that qualification.")))
    user.qualifications.remove(held)
    audit.record(session, by=by, action="user.qualification_revoked", entity="user", entity_id=user.id,
                 changes={"qualification": qualification.code})
    session.flush()


def _qualification_fields(session, qualification: Qualification | None, *, code: str, name_en: str,
                          name_da: str, description: str | None, is_active: bool) -> dict:
    fields = {"code": (code or "").strip().lower(), "name_en": (name_en or "").strip(),
              "name_da": (name_da or "").strip(), "description": (description or "").strip() or None,
              "is_active": bool(is_active)}
    if not fields["code"]:
        raise DomainError(str(_l("Give the qualification a short code.")), field="code")
    for name in ("name_en", "name_da"):
        if not fields[name]:
            raise DomainError(str(_l("Give the qualification a name.")), field=name)
    clash = session.scalar(sa.select(Qualification.id).where(Qualification.code == fields["code"]))
    if clash is not None and (qualification is None or clash != qualification.id):
        raise Conflict(str(_l("Another qualification already has this code.")), field="code")
    return fields


def create_qualification(session, *, code: str, name_en: str, name_da: str, description: str | None = None,
                         is_active: bool = True, by: User) -> Qualification:
    fields = _qualification_fields(session, None, code=code, name_en=name_en, name_da=name_da,
                                   description=description, is_active=is_active)
    qualification = Qualification(**fields)
    session.add(qualification)
    session.flush()
    audit.record(session, by=by, action="qualification.created", entity="qualification",
                 entity_id=qualification.id, changes={k: [None, v] for k, v in fields.items()})
    return qualification


def update_qualification(session, qualification: Qualification, *, code: str, name_en: str, name_da: str,
                         description: str | None, is_active: bool, by: User) -> None:
    fields = _qualification_fields(session, qualification, code=code, name_en=name_en, name_da=name_da,
                                   description=description, is_active=is_active)
    changes = audit.diff(qualification, fields)
    if changes:
        for name, value in fields.items():
            setattr(qualification, name, value)
        audit.record(session, by=by, action="qualification.changed", entity="qualification",
                     entity_id=qualification.id, changes=changes)
        session.flush()


# --- privacy: export and erasure ---------------------------------------------------------

def request_erasure(session, user: User) -> None:
    if user.erasure_requested_at is None:
        user.erasure_requested_at = utcnow()
        audit.record(session, by=user, action="user.erasure_requested", entity="user", entity_id=user.id)
        session.flush()


def cancel_erasure_request(session, user: User, *, by: User) -> None:
    if user.erasure_requested_at is not None:
        user.erasure_requested_at = None
        audit.record(session, by=by, action="user.erasure_request_withdrawn", entity="user", entity_id=user.id)
        session.flush()


def erase(session, user: User, *, by: User) -> None:
    """Anonymise a person: personal fields blanked, sessions and tokens ended, the address
    scrubbed from the outbox and the audit trail; their history stays, anonymous."""
    if user.erased_at is not None:
        raise Conflict(str(_l("This account has already been erased.")))
    if user.id == by.id:
        raise DomainError(str(_l("Ask another admin to erase your own account.")))
    personal = [user.email, user.full_name, user.phone or "", user.display_name]
    _scrub_own_audit(session, user)
    user.email = f"erased-{user.id}@erased.invalid"
    user.full_name = str(_l("Erased person"))
    user.display_name = str(_l("Erased"))
    user.phone = None
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.is_active = False
    user.erased_at = utcnow()
    user.rotate_stamp()
    user.languages = []
    if user.application is not None:
        user.application.availability = ""
        user.application.motivation = ""
        user.application.reason = None
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(session, user.id)
    from logistics.areas import erasure_hooks

    for hook in erasure_hooks():  # each area's part: future shifts left, feed tokens revoked, …
        hook(session, user)
    # Names shorter than 3 letters would scrub unrelated text; the address is always scrubbed.
    scrub = [v for v in personal if v and len(v) >= 3]
    audit.scrub(session, scrub)
    mail.scrub_outbox(scrub)
    audit.record(session, by=by, action="user.erased", entity="user", entity_id=user.id)
    session.flush()


#: Keys in audit payloads about a person that hold personal values (before → after).
_PERSONAL_AUDIT_KEYS = frozenset(PERSONAL_FIELDS) | {"languages", "reason"}


def _scrub_own_audit(session, user: User) -> None:
    """Blank personal values in the audit entries about ``user``: earlier names and phone
    numbers are in their before → after pairs and would survive a scrub of current values."""
    from logistics.audit.models import AuditEntry

    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "user",
                                                          AuditEntry.entity_id == str(user.id)))
    for entry in entries:
        changes = dict(entry.changes or {})
        hit = False
        for key in _PERSONAL_AUDIT_KEYS & changes.keys():
            value = changes[key]
            changes[key] = ["[erased]", "[erased]"] if isinstance(value, list) else "[erased]"
            hit = True
        if hit:
            entry.changes = changes


def inactive_accounts(session, months: int) -> list[User]:
    """Accounts with no login (or, never logged in, no creation) for ``months`` months."""
    cutoff = utcnow() - relativedelta(months=months)
    last = sa.func.coalesce(User.last_login_at, User.created_at)
    return list(session.scalars(
        sa.select(User).where(User.erased_at.is_(None), last < cutoff).order_by(last)
    ))
