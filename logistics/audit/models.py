from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base


class AuditEntry(Base):
    """One change: who made it, when, to what, and each field's before → after."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: A dotted verb such as "user.role_changed" or "stock.adjusted".
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    #: The kind of thing changed ("user", "setting", "item", …) and its id as text.
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(40))
    #: {field: [before, after]} for changed fields, or other facts of the change.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", foreign_keys=[actor_id])
