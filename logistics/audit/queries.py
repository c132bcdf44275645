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


#: Keys in an entry's changes that hold the id of another row, and the kind of row.
REFERENCES = {"user": "user", "from_user": "user", "to_user": "user", "shift": "shift", "activity": "activity",
              "place": "place", "place_id": "place"}


def _subject_models() -> dict:
    from logistics.people.models import Qualification, User
    from logistics.shifts.models import Activity, Place, Series, Shift, Signup
    from logistics.stock.models import Item, Kit, Location, Lot, Outreach, ProductGroup, Stocktake

    return {"user": User, "qualification": Qualification, "activity": Activity, "place": Place, "shift": Shift,
            "series": Series, "signup": Signup, "stock_item": Item, "stock_kit": Kit, "stock_location": Location,
            "stock_lot": Lot, "stock_stocktake": Stocktake, "stock_product_group": ProductGroup,
            "stock_outreach": Outreach}


def subjects(session, entries) -> dict[tuple[str, int], object]:
    """The rows a page of entries is about, and the people, shifts, activities and places
    their changes name, so each entry can be told as a sentence: {(kind, id): row}. One
    query per kind of row present, whatever the number of entries."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if (e.entity_id or "").isdigit():
            wanted.setdefault(e.entity, set()).add(int(e.entity_id))
        for key, kind in REFERENCES.items():
            value = (e.changes or {}).get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                wanted.setdefault(kind, set()).add(value)
            elif isinstance(value, list) and len(value) == 2:  # [before, after]
                wanted.setdefault(kind, set()).update(v for v in value if isinstance(v, int))
    models = _subject_models()
    found: dict[tuple[str, int], object] = {}
    # A sign-up is told by its person and shift: they join the rows to load.
    for row in session.scalars(sa.select(models["signup"]).where(
            models["signup"].id.in_(wanted.pop("signup", set()) or {-1}))):
        found[("signup", row.id)] = row
        wanted.setdefault("user", set()).add(row.user_id)
        wanted.setdefault("shift", set()).add(row.shift_id)
    # What names a row besides its own columns, loaded with it.
    names_with = {"stock_lot": "item", "stock_stocktake": "location", "stock_outreach": "bag_location"}
    for kind, ids in wanted.items():
        model = models.get(kind)
        if model is None or not ids:
            continue
        stmt = sa.select(model).where(model.id.in_(ids))
        if kind in names_with:
            stmt = stmt.options(joinedload(getattr(model, names_with[kind])))
        for row in session.scalars(stmt):
            found[(kind, row.id)] = row
    return found


def for_entity(session, entity: str, entity_id, limit: int = 20) -> list[AuditEntry]:
    return list(session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ))
