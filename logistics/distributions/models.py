"""Food-pack distributions: the monthly plan, what each distribution packs (a copy of the
recipes it used), its packing and hand-out shifts, and the anonymous hand-out counts."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base, TimestampMixin, str_enum
from logistics.shifts.models import Shift
from logistics.stock.models import Fixed3, Item, Kit, Location


class DistributionStatus(str, enum.Enum):
    PLANNED = "planned"
    PACKED = "packed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


#: Movements that serve a distribution carry the reference (REFERENCE, distribution id).
REFERENCE = "distribution"


class PlannedMonth(Base):
    """A month whose distributions were planned in one step. Its primary key is what makes two
    coordinators planning the same month at once end with one plan: the second insert fails."""

    __tablename__ = "distribution_month"

    #: The first day of the month.
    month: Mapped[dt.date] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Distribution(TimestampMixin, Base):
    __tablename__ = "distribution"
    __table_args__ = (
        # One distribution a day (cancelled ones aside).
        sa.Index("ux_distribution_day_active", "day", unique=True,
                 sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'")),
        sa.CheckConstraint("women IS NULL OR women >= 0", name="women_not_negative"),
        sa.CheckConstraint("men IS NULL OR men >= 0", name="men_not_negative"),
        sa.CheckConstraint("transgender IS NULL OR transgender >= 0", name="transgender_not_negative"),
        sa.CheckConstraint("not_stated IS NULL OR not_stated >= 0", name="not_stated_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The local day of the hand-out.
    day: Mapped[dt.date] = mapped_column(index=True)
    status: Mapped[DistributionStatus] = mapped_column(str_enum(DistributionStatus, 16),
                                                      default=DistributionStatus.PLANNED, index=True)
    #: Where components are taken from and the packs are kept until the hand-out.
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_location.id"))
    #: The packing shift (the day before) and the hand-out shift, created with the distribution.
    packing_shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id", ondelete="SET NULL"),
                                                         unique=True)
    handout_shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id", ondelete="SET NULL"),
                                                         unique=True)
    #: Anonymous counts of the people who came (optional): never names.
    women: Mapped[int | None]
    men: Mapped[int | None]
    transgender: Mapped[int | None]
    not_stated: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    packed_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]

    location: Mapped[Location] = relationship()
    packing_shift: Mapped[Shift | None] = relationship(foreign_keys=[packing_shift_id])
    handout_shift: Mapped[Shift | None] = relationship(foreign_keys=[handout_shift_id])
    lines: Mapped[list[DistributionLine]] = relationship(
        back_populates="distribution", cascade="all, delete-orphan", order_by="DistributionLine.id")

    @property
    def people_counted(self) -> int | None:
        values = [v for v in (self.women, self.men, self.transgender, self.not_stated) if v is not None]
        return sum(values) if values else None


class DistributionLine(Base):
    """Packs of one recipe for one distribution: planned, packed, handed out."""

    __tablename__ = "distribution_line"
    __table_args__ = (
        sa.UniqueConstraint("distribution_id", "pack_item_id"),
        sa.CheckConstraint("planned_packs > 0", name="planned_positive"),
        sa.CheckConstraint("packed_packs >= 0 AND packed_packs <= planned_packs", name="packed_within_plan"),
        sa.CheckConstraint("handed_out_packs IS NULL OR (handed_out_packs >= 0 AND handed_out_packs <= packed_packs)",
                           name="handed_out_within_packed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distribution_id: Mapped[int] = mapped_column(sa.ForeignKey("distribution.id", ondelete="CASCADE"))
    pack_item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"), index=True)
    #: The recipe the components were copied from (None once that recipe is gone).
    recipe_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_kit.id", ondelete="SET NULL"))
    planned_packs: Mapped[int]
    packed_packs: Mapped[int] = mapped_column(default=0)
    #: None until the hand-out is recorded.
    handed_out_packs: Mapped[int | None]

    distribution: Mapped[Distribution] = relationship(back_populates="lines")
    pack_item: Mapped[Item] = relationship()
    recipe: Mapped[Kit | None] = relationship()
    components: Mapped[list[DistributionComponent]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="DistributionComponent.id")

    @property
    def to_pack(self) -> int:
        return self.planned_packs - self.packed_packs


class DistributionComponent(Base):
    """The recipe as it was when the distribution was planned: quantity per pack."""

    __tablename__ = "distribution_component"
    __table_args__ = (
        sa.UniqueConstraint("line_id", "item_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("distribution_line.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Fixed3)

    line: Mapped[DistributionLine] = relationship(back_populates="components")
    item: Mapped[Item] = relationship()
