"""Reading the audit trail: filters, paging, and names for the things entries point at."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from logistics.audit.models import AuditEntry
from logistics.clock import local_midnight


def search(session, *, action: str | None = None, actor: str | None = None, entity: str | None = None,
           entity_id: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
           page: int = 1, per_page: int = 50):
    """Entries matching the filters, newest first, with their actors loaded; and the total.

    ``actor`` matches the acting person's name or email (or "system" for no actor);
    ``action`` matches the start of the dotted verb ("user." finds every change to people).
    """
    from logistics.people.models import User

    stmt = sa.select(AuditEntry)
    if action and action.strip():
        stmt = stmt.where(AuditEntry.action.startswith(action.strip(), autoescape=True))
    if actor and actor.strip():
        needle = actor.strip().lower()
        if needle == "system":
            stmt = stmt.where(AuditEntry.actor_id.is_(None))
        else:
            who = aliased(User)
            stmt = stmt.join(who, who.id == AuditEntry.actor_id).where(sa.or_(
                sa.func.lower(who.full_name).contains(needle, autoescape=True),
                who.email.contains(needle, autoescape=True)))
    if entity and entity.strip():
        stmt = stmt.where(AuditEntry.entity == entity.strip())
    if entity_id and str(entity_id).strip():
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id).strip())
    if date_from:
        stmt = stmt.where(AuditEntry.at >= local_midnight(date_from))
    if date_to:
        stmt = stmt.where(AuditEntry.at < local_midnight(date_to + dt.timedelta(days=1)))
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(
        stmt.options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return rows, total


def actions(session) -> list[str]:
    """Every action that occurs in the trail, for the filter."""
    return list(session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def entities(session) -> list[str]:
    return list(session.scalars(sa.select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))


def user_names(session, entries) -> dict[str, str]:
    """{entity_id: full name} for entries about people, in one query."""
    from logistics.people.models import User

    ids = {int(e.entity_id) for e in entries if e.entity == "user" and (e.entity_id or "").isdigit()}
    if not ids:
        return {}
    return {str(uid): name for uid, name in session.execute(
        sa.select(User.id, User.full_name).where(User.id.in_(ids)))}


def for_entity(session, entity: str, entity_id, limit: int = 20) -> list[AuditEntry]:
    return list(session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ))
