"""Stock tables: the append-only movement ledger and the balances it keeps up to date.

Quantities are exact decimals with three places (kilograms and litres as well as pieces),
stored as scaled integers so SQLite and PostgreSQL add and compare them the same way and a
conditional ``UPDATE ... WHERE qty >= :n`` never meets a rounding error.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base, TimestampMixin, bilingual, str_enum
from logistics.shifts.models import ActivityKind, Shift

SCALE = 1000  # three decimal places


def as_plain(value: Decimal) -> Decimal:
    """``Decimal("10.000")`` as ``Decimal("10")``, ``1.500`` as ``1.5`` (no exponent form)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class Fixed3(sa.types.TypeDecorator):
    """An exact decimal with three places, stored as an integer number of thousandths."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value) * SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than three decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return as_plain(Decimal(int(value)).scaleb(-3))

    def coerce_compared_value(self, op, value):
        return self



class Category(str, enum.Enum):
    FOOD = "food"
    HYGIENE = "hygiene"
    MEDICINE = "medicine"
    TEST_KIT = "test_kit"
    VACCINE = "vaccine"
    CLOTHING = "clothing"
    FOOD_PACK = "food_pack"
    VOUCHER = "voucher"
    OTHER = "other"


class Fit(str, enum.Enum):
    WOMEN = "women"
    MEN = "men"
    UNISEX = "unisex"
    CHILD = "child"


#: Units an item is counted in; True where only whole numbers make sense.
UNITS: dict[str, bool] = {
    "piece": True, "pack": True, "box": True, "bottle": True, "pair": True, "dose": True,
    "test": True, "voucher": True, "kg": False, "litre": False,
}


class MovementKind(str, enum.Enum):
    RECEIVE = "receive"
    ISSUE = "issue"
    TRANSFER = "transfer"
    ADJUST = "adjust"
    COUNT = "count"
    DISCARD = "discard"
    PACK = "pack"
    UNPACK = "unpack"


class SourceKind(str, enum.Enum):
    DONOR = "donor"
    SUPPLIER = "supplier"


#: Activity kinds an outreach kit can be kept for: the shifts area's kinds.
ACTIVITY_KINDS = tuple(kind.value for kind in ActivityKind)


class ProductGroup(Base):
    """Clothing of one kind ("Winter jacket"); each size and fit is an item of its own."""

    __tablename__ = "stock_product_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name, and optionally in Danish (``name`` shows it on Danish pages when set).
    name_en: Mapped[str] = mapped_column("name", sa.String(120), unique=True)
    name_da: Mapped[str | None] = mapped_column(sa.String(120))
    name = bilingual("name_en", "name_da")
    notes: Mapped[str | None] = mapped_column(sa.String(1000))

    items: Mapped[list[Item]] = relationship(back_populates="product_group", order_by="Item.id")


#: A fit as an item's full name shows it.
FIT_WORDS = {Fit.WOMEN: _l("women"), Fit.MEN: _l("men"), Fit.UNISEX: _l("unisex"), Fit.CHILD: _l("child")}


class Item(TimestampMixin, Base):
    __tablename__ = "stock_item"
    __table_args__ = (
        sa.CheckConstraint("min_level >= 0", name="min_level_not_negative"),
        # One item per name, size and fit, where "no size" counts as a value: a plain unique
        # constraint lets any number of rows with NULLs through (two "Soap" items at once).
        sa.Index("ux_stock_item_name_size_fit", "name", sa.func.coalesce(sa.text("size"), ""),
                 sa.func.coalesce(sa.text("fit"), ""), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name, and optionally in Danish (``name`` shows it on Danish pages when set).
    name_en: Mapped[str] = mapped_column("name", sa.String(120))
    name_da: Mapped[str | None] = mapped_column(sa.String(120))
    name = bilingual("name_en", "name_da")
    category: Mapped[Category] = mapped_column(str_enum(Category, 16), index=True)
    #: One of UNITS; whole units refuse fractional quantities.
    unit: Mapped[str] = mapped_column(sa.String(16), default="piece")
    #: Lots of this item must carry an expiry date (medicine, tests, vaccines, most food).
    is_expiry_tracked: Mapped[bool] = mapped_column(default=False)
    #: Total on hand (all locations) below which the item is on the shopping list; 0 = none.
    min_level: Mapped[Decimal] = mapped_column(Fixed3, default=Decimal(0))
    is_active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(sa.String(1000))
    product_group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stock_product_group.id", ondelete="SET NULL"), index=True)
    #: Clothing size as written on the label ("M", "42", "4-5 years").
    size: Mapped[str | None] = mapped_column(sa.String(20))
    fit: Mapped[Fit | None] = mapped_column(str_enum(Fit, 16))

    product_group: Mapped[ProductGroup | None] = relationship(back_populates="items")
    lots: Mapped[list[Lot]] = relationship(back_populates="item", order_by="Lot.id")

    @property
    def is_whole(self) -> bool:
        return UNITS.get(self.unit, True)

    @property
    def full_name(self) -> str:
        """"Winter jacket — women — M" / "Vinterjakke — kvinder — M": the name and the fit in
        the reader's language."""
        fit = str(FIT_WORDS.get(self.fit, self.fit.value)) if self.fit else None
        parts = [self.name] + [p for p in (fit, self.size) if p]
        return " — ".join(parts)


class Location(Base):
    __tablename__ = "stock_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column("name", sa.String(80), unique=True)
    name_da: Mapped[str | None] = mapped_column(sa.String(80))
    name = bilingual("name_en", "name_da")
    #: A bag or box that goes out with a team (the outreach bag), not a room.
    is_mobile: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)


class Lot(TimestampMixin, Base):
    """A batch of one item with one expiry date. Items without lots use one lot with code ""."""

    __tablename__ = "stock_lot"
    __table_args__ = (sa.UniqueConstraint("item_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"))
    code: Mapped[str] = mapped_column(sa.String(60), default="")
    #: Last day the lot may be used; None for goods that do not expire.
    expires_on: Mapped[dt.date | None] = mapped_column(index=True)
    #: Set while the lot is blocked (a recall); blocked lots are not issued or packed.
    quarantined_at: Mapped[dt.datetime | None]
    quarantine_reason: Mapped[str | None] = mapped_column(sa.String(500))

    item: Mapped[Item] = relationship(back_populates="lots")

    @property
    def is_quarantined(self) -> bool:
        return self.quarantined_at is not None


class Movement(Base):
    """One change of stock. Rows are only ever added; an undo is another movement."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_location"),
        sa.CheckConstraint("from_location_id IS NULL OR to_location_id IS NULL "
                           "OR from_location_id <> to_location_id", name="distinct_locations"),
        # History of one item, newest first, paged by this index.
        sa.Index("ix_stock_movement_item_at", "item_id", "at", "id"),
        sa.Index("ix_stock_movement_reference", "reference_type", "reference_id"),
        # The annual report: an item's issues in a period with their quantities, from the index alone.
        sa.Index("ix_stock_movement_item_kind_at_cover", "item_id", "kind", "at", "quantity", "id"),
        # The few undo movements, to leave out what was undone without reading the ledger.
        sa.Index("ix_stock_movement_reversal", "reverses_id", "id",
                 postgresql_where=sa.text("reverses_id IS NOT NULL"),
                 sqlite_where=sa.text("reverses_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind, 16))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_lot.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Fixed3)
    #: Where the stock left (None for a receive or an upward adjustment or count).
    from_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_location.id"))
    #: Where the stock arrived (None for an issue, a discard or a downward adjustment or count).
    to_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_location.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    source_kind: Mapped[SourceKind | None] = mapped_column(str_enum(SourceKind, 16))
    #: Donor or supplier name (organisations or private donors; never one of the people we help).
    source_name: Mapped[str | None] = mapped_column(sa.String(120))
    #: Price per unit in DKK, when bought.
    unit_cost: Mapped[Decimal | None] = mapped_column(Fixed3)
    #: What the movement served, as (type, id): ("outreach", 7) for packing and returns (the
    #: outreach row names its shift); other services may pass their own pair.
    reference_type: Mapped[str | None] = mapped_column(sa.String(30))
    reference_id: Mapped[int | None]
    stocktake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_stocktake.id"), index=True)
    #: The movement this one undoes; each movement can be undone once.
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_movement.id"), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    item: Mapped[Item] = relationship()
    lot: Mapped[Lot] = relationship()
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])
    by: Mapped[User | None] = relationship("User")  # noqa: F821

    @property
    def signed_quantity(self) -> Decimal:
        """The change to the item's total on hand (transfers change nothing)."""
        if self.from_location_id is None:
            return self.quantity
        if self.to_location_id is None:
            return -self.quantity
        return Decimal(0)


class Balance(Base):
    """What is on hand of one lot at one location; always equals the ledger's sum."""

    __tablename__ = "stock_balance"
    __table_args__ = (
        sa.CheckConstraint("qty >= 0", name="qty_not_negative"),
        # What is on hand (few of the rows once lots run out), for the start page's numbers:
        # by expiry date (expiring, expired) and by item with the quantity (below minimum),
        # read from the indexes alone rather than every balance joined to its lot.
        sa.Index("ix_stock_balance_on_hand_expiry", "expires_on",
                 postgresql_where=sa.text("qty > 0"), sqlite_where=sa.text("qty > 0")),
        sa.Index("ix_stock_balance_on_hand_item", "item_id", "qty",
                 postgresql_where=sa.text("qty > 0"), sqlite_where=sa.text("qty > 0")),
    )

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_lot.id"), primary_key=True, index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_location.id"), primary_key=True, index=True)
    qty: Mapped[Decimal] = mapped_column(Fixed3, default=Decimal(0))
    #: The lot's expiry date, copied when the row is made: a lot's expiry never changes once
    #: it is received (``ledger.verify`` checks the copies).
    expires_on: Mapped[dt.date | None] = mapped_column(sa.Date)

    item: Mapped[Item] = relationship()
    lot: Mapped[Lot] = relationship()
    location: Mapped[Location] = relationship()


class Stocktake(Base):
    """A count of one location; lines are saved part-way and become movements on finish."""

    __tablename__ = "stock_stocktake"
    __table_args__ = (
        # At most one unfinished count per location, enforced by the database.
        sa.Index("ux_stock_stocktake_open_location", "location_id", unique=True,
                 sqlite_where=sa.text("finished_at IS NULL"),
                 postgresql_where=sa.text("finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_location.id"))
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    finished_at: Mapped[dt.datetime | None]

    location: Mapped[Location] = relationship()
    lines: Mapped[list[StocktakeLine]] = relationship(
        back_populates="stocktake", cascade="all, delete-orphan", order_by="StocktakeLine.id")


class StocktakeLine(Base):
    __tablename__ = "stock_stocktake_line"
    __table_args__ = (
        sa.UniqueConstraint("stocktake_id", "lot_id"),
        sa.CheckConstraint("counted_qty IS NULL OR counted_qty >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_stocktake.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_lot.id"))
    #: The balance when the count started, for reference only; finishing compares with the
    #: balance at that moment, so issues made during the count are not undone.
    expected_qty: Mapped[Decimal] = mapped_column(Fixed3)
    #: None until someone has counted this line.
    counted_qty: Mapped[Decimal | None] = mapped_column(Fixed3)

    stocktake: Mapped[Stocktake] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()
    lot: Mapped[Lot] = relationship()


class Kit(Base):
    """A list of items with quantities, for one of two uses (one model, not two copies):

    - the kit of an activity kind: what a team takes in its bag (``activity_kind`` set);
    - a pack recipe: the components of one pack (``pack_item_id`` set; the pack is itself a
      stock item, "Food pack (standard)"), quantities per pack. Distributions copy the lines
      they use, so changing a recipe never rewrites a past distribution.
    """

    __tablename__ = "stock_kit"
    __table_args__ = (
        sa.CheckConstraint("(activity_kind IS NULL) <> (pack_item_id IS NULL)", name="kind_or_pack"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of ACTIVITY_KINDS; None for a pack recipe.
    activity_kind: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    #: The pack this recipe makes; None for an activity's kit.
    pack_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_item.id"), unique=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[KitLine]] = relationship(
        back_populates="kit", cascade="all, delete-orphan", order_by="KitLine.id")
    pack_item: Mapped[Item | None] = relationship(foreign_keys=[pack_item_id])

    @property
    def is_recipe(self) -> bool:
        return self.pack_item_id is not None


class KitLine(Base):
    __tablename__ = "stock_kit_line"
    __table_args__ = (
        sa.UniqueConstraint("kit_id", "item_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_kit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_item.id"))
    quantity: Mapped[Decimal] = mapped_column(Fixed3)

    kit: Mapped[Kit] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()


class Outreach(Base):
    """One packed bag: packed from a storeroom into a mobile location, later returned.

    Movements that serve it carry the reference ("outreach", id); the outreach names the
    shift it is packed for through a real foreign key, so a movement reaches its shift in
    one join and two trips for the same shift (packed, returned, packed again) stay apart.
    """

    __tablename__ = "stock_outreach"
    __table_args__ = (
        # A bag holds one outreach at a time: it must be returned before it is packed again.
        sa.Index("ux_stock_outreach_open_bag", "bag_location_id", unique=True,
                 sqlite_where=sa.text("returned_at IS NULL"),
                 postgresql_where=sa.text("returned_at IS NULL")),
        # A shift has at most one packed, unreturned bag.
        sa.Index("ux_stock_outreach_open_shift", "shift_id", unique=True,
                 sqlite_where=sa.text("returned_at IS NULL AND shift_id IS NOT NULL"),
                 postgresql_where=sa.text("returned_at IS NULL AND shift_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_kind: Mapped[str] = mapped_column(sa.String(30))
    from_location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_location.id"))
    bag_location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_location.id"))
    #: The shift the bag is packed for; None for a bag packed without one (or whose shift
    #: was deleted).
    shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id", ondelete="SET NULL"), index=True)
    packed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    packed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    returned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    returned_at: Mapped[dt.datetime | None]

    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    bag_location: Mapped[Location] = relationship(foreign_keys=[bag_location_id])
    shift: Mapped[Shift | None] = relationship()
    packed_by: Mapped[User | None] = relationship("User", foreign_keys=[packed_by_id])  # noqa: F821

