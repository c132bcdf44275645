"""A row per message to send, each person's notification settings, and calendar feeds.

The row, not the queue, is the truth: a job claims its row with a conditional UPDATE
(pending → sending) and the sweep re-enqueues rows whose job was lost.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base, TimestampMixin, str_enum


class Kind(str, enum.Enum):
    SIGNUP_CONFIRMED = "signup_confirmed"
    PROMOTED = "promoted"
    SHIFT_CHANGED = "shift_changed"
    SHIFT_CANCELLED = "shift_cancelled"
    REMOVED = "removed"
    COVER_REQUESTED = "cover_requested"
    REMINDER = "reminder"
    CANCEL_REQUESTED = "cancel_requested"
    DIGEST = "digest"
    LEDGER_ALERT = "ledger_alert"
    #: Someone on a street outreach shift is not back safe (to the coordinators).
    NOT_BACK = "not_back"
    TEST = "test"
    #: Invitations, password resets and application answers (data["job"] names which).
    ACCOUNT = "account"


class Status(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


#: Notices a person may switch off by email (the reminders have their own offsets).
NOTICE_GROUPS = ("confirmations", "changes", "cover_requests", "digests")
#: Which group each kind belongs to (kinds not listed are always sent).
GROUP_OF = {
    Kind.SIGNUP_CONFIRMED: "confirmations", Kind.PROMOTED: "confirmations", Kind.REMOVED: "changes",
    Kind.SHIFT_CHANGED: "changes", Kind.SHIFT_CANCELLED: "changes", Kind.COVER_REQUESTED: "cover_requests",
    Kind.DIGEST: "digests",
}

#: Reminder offsets a person may choose, in minutes before the start.
OFFSETS = (7 * 24 * 60, 2 * 24 * 60, 24 * 60, 3 * 60, 60)
DEFAULT_OFFSETS = (24 * 60,)
DEFAULT_QUIET = (dt.time(22, 0), dt.time(8, 0))


class Notification(TimestampMixin, Base):
    __tablename__ = "notification"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_notification_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What makes a duplicate impossible, e.g. "reminder:<signup>:<version>:<offset>".
    key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, 24))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    signup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signup.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shift_event.id", ondelete="SET NULL"))
    cover_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cover_request.id", ondelete="CASCADE"))
    shift_version: Mapped[int | None]
    #: Reminders: minutes before the start.
    offset_minutes: Mapped[int | None]
    status: Mapped[Status] = mapped_column(str_enum(Status, 16), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    #: Not to be sent before this instant (a reminder's time, a retry's back-off).
    due_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    message_id: Mapped[str | None] = mapped_column(sa.String(200))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User")
    shift = relationship("Shift")
    signup = relationship("Signup")


class Preference(Base):
    """A person's choices: reminder offsets, quiet hours, and the notices they want by email."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    #: Minutes before a shift (a subset of OFFSETS).
    offsets: Mapped[list[int]] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_OFFSETS))
    quiet_start: Mapped[dt.time | None] = mapped_column(default=DEFAULT_QUIET[0])
    quiet_end: Mapped[dt.time | None] = mapped_column(default=DEFAULT_QUIET[1])
    #: Groups (NOTICE_GROUPS) switched off.
    muted: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FeedKind(str, enum.Enum):
    MINE = "mine"
    OPEN = "open"
    ALL = "all"


class CalendarFeed(TimestampMixin, Base):
    """A subscription URL; only the SHA-256 of its token is stored."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FeedKind] = mapped_column(str_enum(FeedKind, 8))
    label: Mapped[str] = mapped_column(sa.String(80), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_fetched_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user = relationship("User")



class Reply(Base):
    """A volunteer's one-tap answer from the last reminder ("coming")."""

    __tablename__ = "shift_reply"

    signup_id: Mapped[int] = mapped_column(sa.ForeignKey("signup.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[str] = mapped_column(sa.String(16))
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
