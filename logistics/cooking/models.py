"""Communal cooking events: a meal cooked and eaten with the people we help at the office,
its cook shift, and the diners as a count (never names)."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.db import Base, TimestampMixin, str_enum
from logistics.shifts.models import Place, Shift
from logistics.stock.models import Location


class CookingStatus(str, enum.Enum):
    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


#: Movements that draw ingredients for an event carry the reference (REFERENCE, event id).
REFERENCE = "cooking"


class CookingEvent(TimestampMixin, Base):
    __tablename__ = "cooking_event"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("expected_diners >= 0", name="expected_not_negative"),
        sa.CheckConstraint("actual_diners IS NULL OR actual_diners >= 0", name="actual_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: What is cooked; shown to the cooks.
    menu: Mapped[str] = mapped_column(sa.Text, default="")
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("place.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    expected_diners: Mapped[int] = mapped_column(default=0)
    #: How many ate, recorded afterwards (a count only).
    actual_diners: Mapped[int | None]
    #: Where the ingredients are taken from.
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_location.id"))
    #: The cook shift created with the event.
    shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id", ondelete="SET NULL"), unique=True)
    status: Mapped[CookingStatus] = mapped_column(str_enum(CookingStatus, 16), default=CookingStatus.PLANNED)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    completed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]

    place: Mapped[Place | None] = relationship()
    location: Mapped[Location] = relationship()
    shift: Mapped[Shift | None] = relationship()
