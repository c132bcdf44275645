"""Appending to the audit trail. Entries are never changed, except by erasure scrubbing."""
from __future__ import annotations

import datetime as dt
import enum
import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from logistics.audit.models import AuditEntry

if TYPE_CHECKING:
    from logistics.people.models import User


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def record(session, *, by: User | int | None, action: str, entity: str, entity_id=None,
           changes: dict | None = None) -> AuditEntry:
    """Append an audit entry. ``by`` is the acting user (or their id; None for the system)."""
    entry = AuditEntry(
        actor_id=getattr(by, "id", by),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )
    session.add(entry)
    return entry


def diff(obj, fields: dict[str, Any]) -> dict[str, list]:
    """Return {field: [before, after]} for the fields of ``obj`` that ``fields`` changes."""
    out = {}
    for name, new in fields.items():
        # A bilingual name (logistics.db.bilingual) compares its stored first name, not the
        # one the page's language shows.
        old = getattr(obj, f"{name}_en") if hasattr(type(obj), f"{name}_en") else getattr(obj, name)
        if old != new:
            out[name] = [_plain(old), _plain(new)]
    return out


def scrub(session, values: list[str], replacement: str = "[erased]") -> int:
    """Replace each of ``values`` wherever it appears in audit payloads; return rows changed."""
    values = [v for v in values if v]
    if not values:
        return 0
    changed = 0
    like = sa.or_(*[sa.cast(AuditEntry.changes, sa.String).contains(v) for v in values])
    for entry in session.scalars(sa.select(AuditEntry).where(like)):
        text = json.dumps(entry.changes, ensure_ascii=False)
        for v in values:
            text = text.replace(json.dumps(v, ensure_ascii=False)[1:-1], replacement)
        entry.changes = json.loads(text)
        changed += 1
    return changed
