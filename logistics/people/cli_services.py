"""Account creation for the command line and demo data (no invitation email)."""
from __future__ import annotations

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.people import passwords, services
from logistics.people.models import Role, User


def create_user(session, *, email: str, role: Role, password: str, full_name: str | None = None,
                by: User | None = None, locale: str = "en") -> User:
    email = services.normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError("That is not an email address.", field="email")
    if services.find_by_email(session, email) is not None:
        raise services.EmailTaken()
    name = (full_name or email.split("@")[0]).strip()
    user = User(email=email, full_name=name, display_name=name.split(" ")[0], role=Role(role),
                locale=locale, approved_at=utcnow())
    reason = passwords.problem(password, email=email, name=name)
    if reason:
        raise services.WeakPassword(reason)
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    session.flush()
    audit.record(session, by=by, action="user.created", entity="user", entity_id=user.id,
                 changes={"role": user.role.value})
    return user
