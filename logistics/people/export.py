"""Everything held on one person, as JSON-ready data (the "download my data" button).

Each area lists its sections in :mod:`logistics.areas`; a section returns data about the
person only — other people appear by role, never by name.
"""
from __future__ import annotations

import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.clock import utcnow
from logistics.people import sessions
from logistics.people.models import User


def _iso(value):
    return value.isoformat() if value is not None else None


def profile(session, user: User) -> dict:
    return {
        "email": user.email, "full_name": user.full_name, "display_name": user.display_name,
        "phone": user.phone, "locale": user.locale, "role": user.role.value, "is_active": user.is_active,
        "languages_spoken": [lang.code for lang in user.languages],
        "approved_at": _iso(user.approved_at), "last_login_at": _iso(user.last_login_at),
        "created_at": _iso(user.created_at), "two_factor_enabled": user.has_totp,
        "erasure_requested_at": _iso(user.erasure_requested_at),
    }


def application(session, user: User) -> dict | None:
    app = user.application
    if app is None:
        return None
    return {"availability": app.availability, "motivation": app.motivation, "status": app.status.value,
            "submitted_at": _iso(app.created_at), "decided_at": _iso(app.decided_at),
            "reason": app.reason}


def qualifications(session, user: User) -> list:
    return [{"qualification": q.qualification.name_en, "granted_at": _iso(q.granted_at),
             "expires_on": _iso(q.expires_on)} for q in user.qualifications]


def user_sessions(session, user: User) -> list:
    return [{"browser": s.user_agent, "started_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at)}
            for s in sessions.active(session, user.id)]


def changes_to_my_account(session, user: User) -> list:
    rows = session.execute(
        sa.select(AuditEntry, User.role)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))
        .order_by(AuditEntry.at)
    ).all()
    out = []
    for entry, actor_role in rows:
        if entry.actor_id == user.id:
            by = "you"
        elif entry.actor_id is None:
            by = "system"
        else:
            by = actor_role.value  # another person is named by role only
        out.append({"at": _iso(entry.at), "action": entry.action, "by": by, "changes": entry.changes})
    return out


#: The people area's sections, in the order they appear in the file.
SECTIONS = (
    ("profile", profile),
    ("application", application),
    ("qualifications", qualifications),
    ("sessions", user_sessions),
    ("changes_to_my_account", changes_to_my_account),
)


def export(session, user: User) -> dict:
    """Everything held on ``user``: every area's sections (see logistics.areas)."""
    from logistics.areas import export_sections

    data = {"exported_at": _iso(utcnow()), "format": "hopenow-personal-data/1"}
    for name, fn in export_sections():
        data[name] = fn(session, user)
    return data
