"""Activities, places, shifts, recurring series, sign-ups, cover requests and the events
that the notification area will send."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base, TimestampMixin, bilingual, str_enum


class ActivityKind(str, enum.Enum):
    STREET_OUTREACH = "street_outreach"
    HOTLINE = "hotline"
    FOOD_DISTRIBUTION = "food_distribution"
    PACKING = "packing"
    COMMUNAL_COOKING = "communal_cooking"
    PRISON_VISIT = "prison_visit"
    OFFICE = "office"
    TRAINING = "training"
    OTHER = "other"


#: The fixed palette of activity colours; each is a CSS class ``colour-<name>`` in app.css
#: (the Content-Security-Policy forbids inline styles).
COLOURS = ("teal", "blue", "indigo", "purple", "magenta", "red", "orange", "olive", "green", "grey")


class PlaceKind(str, enum.Enum):
    OFFICE = "office"
    STREET = "street"
    PARK = "park"
    CHURCH = "church"
    PRISON = "prison"
    OTHER = "other"


class ShiftStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SignupStatus(str, enum.Enum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


#: Sign-ups that hold a place or wait for one.
ACTIVE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)

#: Street outreach is never done alone: a shift counts as staffed from two people on.
OUTREACH_PAIR = 2


class EventKind(str, enum.Enum):
    SIGNUP_CONFIRMED = "signup_confirmed"
    PROMOTED = "promoted"
    SHIFT_CHANGED = "shift_changed"
    SHIFT_CANCELLED = "shift_cancelled"
    REMOVED = "removed"
    COVER_REQUESTED = "cover_requested"


activity_qualification = sa.Table(
    "activity_qualification",
    Base.metadata,
    sa.Column("activity_id", sa.ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("qualification_id", sa.ForeignKey("qualification.id", ondelete="CASCADE"), primary_key=True),
)


class Activity(TimestampMixin, Base):
    __tablename__ = "activity"
    __table_args__ = (
        sa.CheckConstraint("capacity_min >= 1", name="capacity_min_positive"),
        sa.CheckConstraint("capacity_max >= capacity_min", name="capacity_max_at_least_min"),
        sa.CheckConstraint("cancel_cutoff_hours >= 0", name="cutoff_not_negative"),
        sa.CheckConstraint("signup_opens_days >= 1", name="opens_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name (in the organisation's first language, English in the demo), and optionally
    #: in Danish: ``name`` shows the Danish one on Danish pages when it is set.
    name_en: Mapped[str] = mapped_column("name", sa.String(80), unique=True)
    name_da: Mapped[str | None] = mapped_column(sa.String(80))
    name = bilingual("name_en", "name_da")
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, 24), index=True)
    #: One of COLOURS.
    colour: Mapped[str] = mapped_column(sa.String(16), default="teal")
    #: What volunteers need to know before the shift (meeting point, what to bring).
    briefing_en: Mapped[str] = mapped_column("briefing", sa.Text, default="")
    briefing_da: Mapped[str | None] = mapped_column(sa.Text)
    briefing = bilingual("briefing_en", "briefing_da")
    #: Default capacity of new shifts: needed people (min) and places (max).
    capacity_min: Mapped[int] = mapped_column(default=1)
    capacity_max: Mapped[int] = mapped_column(default=2)
    #: Volunteers may cancel themselves until this many hours before the start.
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=24)
    #: Sign-up opens this many days before a shift starts.
    signup_opens_days: Mapped[int] = mapped_column(default=56)
    #: Feeds, reminders and lists show a neutral title and no place.
    is_discreet: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    qualifications = relationship("Qualification", secondary=activity_qualification, lazy="selectin",
                                  order_by="Qualification.code")


class Place(TimestampMixin, Base):
    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column("name", sa.String(80), unique=True)
    name_da: Mapped[str | None] = mapped_column(sa.String(80))
    name = bilingual("name_en", "name_da")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[PlaceKind] = mapped_column(str_enum(PlaceKind, 24), default=PlaceKind.OTHER)
    #: The address is shown only to coordinators and the people on a shift there.
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)


class Series(TimestampMixin, Base):
    """A recurring shift: an RFC 5545 RRULE expanded in the organisation's local time."""

    __tablename__ = "shift_series"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("capacity_min >= 1", name="capacity_min_positive"),
        sa.CheckConstraint("capacity_max >= capacity_min", name="capacity_max_at_least_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("place.id"))
    #: The RRULE (without DTSTART), e.g. "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=10".
    rrule: Mapped[str] = mapped_column(sa.String(300))
    #: DTSTART as a local wall-clock date and time in the organisation's zone.
    starts_on: Mapped[dt.date]
    start_time: Mapped[dt.time]
    duration_minutes: Mapped[int]
    capacity_min: Mapped[int]
    capacity_max: Mapped[int]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Occurrences up to this instant exist as shifts; the sweep moves it to the horizon.
    generated_until: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(lazy="joined")
    place: Mapped[Place | None] = relationship(lazy="joined")


def people_needed(kind: ActivityKind, capacity_min: int) -> int:
    """People a shift of this kind needs to count as staffed: street outreach needs a buddy
    (:attr:`Shift.needed`, and :class:`~logistics.shifts.calendar.ShiftRow`'s)."""
    if kind == ActivityKind.STREET_OUTREACH:
        return max(capacity_min, OUTREACH_PAIR)
    return capacity_min


class Shift(TimestampMixin, Base):
    __tablename__ = "shift"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity_min >= 1", name="capacity_min_positive"),
        sa.CheckConstraint("capacity_max >= capacity_min", name="capacity_max_at_least_min"),
        sa.CheckConstraint("confirmed_count >= 0", name="confirmed_not_negative"),
        sa.CheckConstraint("over_capacity >= 0", name="over_capacity_not_negative"),
        # Volunteers fill up to capacity_max; only a coordinator's explicit confirmation
        # raises over_capacity and so lets the count go above it.
        sa.CheckConstraint("confirmed_count <= capacity_max + over_capacity", name="within_capacity"),
        sa.UniqueConstraint("series_id", "occurrence_start"),
        sa.Index("ix_shift_starts_at_status", "starts_at", "status"),
        sa.Index("ix_shift_activity_starts_at", "activity_id", "starts_at"),
        # The annual report reads a period's held shifts by start: everything it needs is in
        # the index (an index-only range scan, PostgreSQL and SQLite).
        sa.Index("ix_shift_status_starts_at_cover", "status", "starts_at", "ends_at", "activity_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"))
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("place.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift_series.id", ondelete="SET NULL"))
    #: The start the series rule gave this occurrence (unchanged when the shift is moved).
    occurrence_start: Mapped[dt.datetime | None]
    #: Changed or cancelled on its own: later edits of the series leave it alone.
    is_detached: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    #: People needed for the shift to be staffed, and the places volunteers may fill.
    capacity_min: Mapped[int]
    capacity_max: Mapped[int]
    #: Places a coordinator added above capacity_max with an explicit confirmation.
    over_capacity: Mapped[int] = mapped_column(default=0)
    #: Confirmed sign-ups, kept by conditional UPDATEs in the same transaction.
    confirmed_count: Mapped[int] = mapped_column(default=0)
    #: People on the waitlist; the next one gets this number plus one as position.
    waitlist_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[ShiftStatus] = mapped_column(str_enum(ShiftStatus, 16), default=ShiftStatus.SCHEDULED)
    #: Raised whenever time, place or status changes (the calendar SEQUENCE).
    version: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    cancelled_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship(lazy="joined", innerjoin=True)
    place: Mapped[Place | None] = relationship(lazy="joined")
    series: Mapped[Series | None] = relationship()
    signups: Mapped[list[Signup]] = relationship(back_populates="shift", order_by="Signup.id")

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED

    @hybrid_property
    def needed(self) -> int:
        """People needed to count as staffed: street outreach needs a buddy."""
        return people_needed(self.activity.kind, self.capacity_min)

    @needed.inplace.expression
    @classmethod
    def _needed_expression(cls) -> sa.ColumnElement[int]:
        # An uncorrelated subquery, so a query works with or without the activity joined.
        outreach = sa.select(Activity.id).where(Activity.kind == ActivityKind.STREET_OUTREACH).correlate(None)
        return sa.case((sa.and_(cls.activity_id.in_(outreach), cls.capacity_min < OUTREACH_PAIR), OUTREACH_PAIR),
                       else_=cls.capacity_min)

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity_max

    @property
    def needs_people(self) -> bool:
        """Scheduled and short of the people needed (street outreach: a buddy)."""
        return self.status == ShiftStatus.SCHEDULED and self.confirmed_count < self.needed

    @property
    def duration_hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(Decimal("0.01"))


class Signup(TimestampMixin, Base):
    __tablename__ = "signup"
    __table_args__ = (
        sa.UniqueConstraint("shift_id", "user_id"),
        sa.CheckConstraint("position IS NULL OR position >= 1", name="position_positive"),
        sa.CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 24)", name="hours_range"),
        # One person's sign-ups (the start page, My shifts, Open shifts, the calendars' marks,
        # their hours) with every column those reads take, so they need no table rows: a
        # volunteer's sign-ups of many years are spread over as many table pages, and reading
        # them had cost more than the rest of the statement (covering, PostgreSQL and SQLite).
        sa.Index("ix_signup_user_cover", "user_id", "status", "shift_id", "attended", "position", "hours", "id"),
        sa.Index("ix_signup_shift_status_position", "shift_id", "status", "position"),
        # Sparse flags: few of 150,000 sign-ups are offered for swap or asked to be let off, and
        # the pages listing them read only those rows (partial indexes, PostgreSQL and SQLite;
        # with the status, the coordinator's count needs no table rows: an index-only scan).
        sa.Index("ix_signup_swap_offered", "shift_id", "status",
                 postgresql_where=sa.text("swap_offered_at IS NOT NULL"),
                 sqlite_where=sa.text("swap_offered_at IS NOT NULL")),
        sa.Index("ix_signup_cancel_requested", "shift_id", "status",
                 postgresql_where=sa.text("cancel_requested_at IS NOT NULL"),
                 sqlite_where=sa.text("cancel_requested_at IS NOT NULL")),
        # The annual report and volunteer hours: a shift's attended places with who and the
        # recorded hours, without reading sign-up rows (covering, PostgreSQL and SQLite).
        sa.Index("ix_signup_shift_attended_cover", "shift_id", "status", "attended", "user_id", "hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[SignupStatus] = mapped_column(str_enum(SignupStatus, 16))
    #: Place on the waitlist (1 is next in line); None unless waitlisted.
    position: Mapped[int | None]
    #: Set by a coordinator after the shift; None until then.
    attended: Mapped[bool | None]
    #: Hours worked, for the annual report; defaults to the shift's length when attended.
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    #: Offered for swap: another eligible volunteer may take the place over.
    swap_offered_at: Mapped[dt.datetime | None]
    #: Asked to be let off after the cut-off; a coordinator decides.
    cancel_requested_at: Mapped[dt.datetime | None]
    cancel_request_reason: Mapped[str | None] = mapped_column(sa.String(500))
    confirmed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    shift: Mapped[Shift] = relationship(back_populates="signups")
    user = relationship("User")


class CoverRequest(TimestampMixin, Base):
    """A coordinator asks for someone to cover a gap (sent by the notification area)."""

    __tablename__ = "cover_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(lazy="joined")


class ShiftEvent(TimestampMixin, Base):
    """Something a person should hear about; the notification area sends and marks it."""

    __tablename__ = "shift_event"
    __table_args__ = (sa.Index("ix_shift_event_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 24))
    shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    signup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signup.id", ondelete="CASCADE"))
    #: Who should be told (None for a cover request, which goes to eligible volunteers).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cover_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cover_request.id", ondelete="CASCADE"))
    #: The shift's version when the event happened.
    shift_version: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Set by the notification area once handled.
    sent_at: Mapped[dt.datetime | None]


class ShiftFilter(Base):
    """What a person last chose to see: the calendar's activity, and on Open shifts the
    activity and the kinds they never take. Remembered across devices, forgotten on erasure."""

    __tablename__ = "shift_filter"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    calendar_activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activity.id", ondelete="SET NULL"))
    open_activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activity.id", ondelete="SET NULL"))
    #: Activity kinds (ActivityKind values) left out of Open shifts.
    hidden_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
