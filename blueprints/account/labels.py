"""Words shown for roles and account states, in the user's language."""
from flask_babel import lazy_gettext as _l

from logistics.people.models import Role

ROLE_LABELS = {
    Role.VOLUNTEER: _l("Volunteer"),
    Role.STAFF: _l("Staff"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Admin"),
}

STATUS_LABELS = {
    "active": _l("Active"),
    "inactive": _l("Deactivated"),
    "pending": _l("Application pending"),
    "invited": _l("Invited"),
    "erasure": _l("Erasure requested"),
    "erased": _l("Erased"),
}


def user_status(user) -> str:
    """The one state an admin needs to see first."""
    if user.erased_at is not None:
        return "erased"
    if user.erasure_requested_at is not None:
        return "erasure"
    if not user.is_active:
        return "inactive"
    if user.approved_at is None:
        return "pending"
    if user.password_hash is None:
        return "invited"
    return "active"


def role_label(role) -> str:
    return str(ROLE_LABELS[Role(role)])


def template_helpers() -> dict:
    return {"role_label": role_label, "user_status": user_status, "status_label": lambda s: str(STATUS_LABELS[s])}
