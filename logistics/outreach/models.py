"""After a shift: safe check-outs of street outreach, the anonymous tally of a shift (counts
only, never a person), and the managed list of partners people are referred to."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base, TimestampMixin
from logistics.shifts.models import ActivityKind

#: The kinds of shift whose results are counted in a tally.
TALLY_KINDS = (ActivityKind.STREET_OUTREACH, ActivityKind.HOTLINE, ActivityKind.PRISON_VISIT)
#: Street outreach ends with every member checking out "back safe".
CHECKOUT_KINDS = (ActivityKind.STREET_OUTREACH,)
#: The contact columns of a tally, in the order they are shown.
GENDERS = ("women", "men", "transgender", "not_stated")


class Partner(TimestampMixin, Base):
    """An organisation people are referred to (CMM, Reden International, …)."""

    __tablename__ = "outreach_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: The seeded entries whose name is translated ("hospital", "other", …); None for the rest.
    code: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    #: Order in the tally form (smallest first).
    position: Mapped[int] = mapped_column(default=100)
    is_active: Mapped[bool] = mapped_column(default=True)


class Tally(TimestampMixin, Base):
    """What one shift counted: contacts by gender (of which new), calls, visits, referrals."""

    __tablename__ = "outreach_tally"
    __table_args__ = (
        sa.CheckConstraint("women >= 0 AND men >= 0 AND transgender >= 0 AND not_stated >= 0",
                           name="contacts_not_negative"),
        sa.CheckConstraint("new_contacts >= 0 AND new_contacts <= women + men + transgender + not_stated",
                           name="new_within_contacts"),
        sa.CheckConstraint("calls >= 0 AND visits >= 0", name="calls_visits_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One tally per shift: the first member starts it, the others correct it.
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), unique=True)
    women: Mapped[int] = mapped_column(default=0)
    men: Mapped[int] = mapped_column(default=0)
    transgender: Mapped[int] = mapped_column(default=0)
    not_stated: Mapped[int] = mapped_column(default=0)
    #: Of the contacts, people met for the first time.
    new_contacts: Mapped[int] = mapped_column(default=0)
    #: Calls taken (hotline shifts; 0 for other kinds).
    calls: Mapped[int] = mapped_column(default=0)
    #: Visits made (prison-visit shifts; 0 for other kinds).
    visits: Mapped[int] = mapped_column(default=0)
    #: Free text under a visible "no names, no identifying details" warning.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    shift = relationship("Shift")
    referrals: Mapped[list[Referral]] = relationship(back_populates="tally", cascade="all, delete-orphan",
                                                     order_by="Referral.partner_id")

    @property
    def contacts(self) -> int:
        return self.women + self.men + self.transgender + self.not_stated


class Referral(Base):
    """How many people one shift referred to one partner."""

    __tablename__ = "outreach_referral"
    __table_args__ = (sa.CheckConstraint("count > 0", name="count_positive"),)

    tally_id: Mapped[int] = mapped_column(sa.ForeignKey("outreach_tally.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("outreach_partner.id"), primary_key=True, index=True)
    count: Mapped[int]

    tally: Mapped[Tally] = relationship(back_populates="referrals")
    partner: Mapped[Partner] = relationship(lazy="joined")


class Checkout(Base):
    """A member of a street outreach shift is back safe: they said so, or a coordinator
    cleared them with a reason."""

    __tablename__ = "outreach_checkout"
    __table_args__ = (sa.UniqueConstraint("shift_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The coordinator who cleared the person; None when they checked out themselves.
    cleared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: Why a coordinator cleared the person ("called her, she is home").
    reason: Mapped[str | None] = mapped_column(sa.String(300))


class Alert(Base):
    """The coordinators were alerted that someone on this shift is not back: once per shift."""

    __tablename__ = "outreach_alert"

    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: How many people had not checked out when the alert went.
    missing: Mapped[int]
