"""Users, roles, qualifications, languages spoken, applications, sessions, recovery codes."""
from __future__ import annotations

import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from logistics.clock import utcnow
from logistics.db import Base, TimestampMixin, str_enum


class Role(str, enum.Enum):
    """Roles are ranked: each one may do everything the ones below it may."""

    VOLUNTEER = "volunteer"
    STAFF = "staff"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role | str) -> bool:
        return self.rank >= Role(other).rank


_RANK = {Role.VOLUNTEER: 1, Role.STAFF: 2, Role.COORDINATOR: 3, Role.ADMIN: 4}


class ApplicationStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


#: Languages a volunteer may say they speak (ISO 639 codes; names come from Babel's CLDR data).
SPOKEN_LANGUAGES = (
    "en", "da", "pcm", "yo", "ig", "ha", "edo", "fr", "es", "pt", "it", "de", "ro", "bg",
    "hu", "pl", "th", "tl", "zh", "vi", "ar", "fa", "so", "ti", "sw", "tw", "uk", "ru",
)


def _new_stamp() -> str:
    return secrets.token_hex(16)


class User(TimestampMixin, Base):
    __tablename__ = "user"
    __table_args__ = (
        # Unique case-insensitively: addresses are stored lower-cased and compared that way.
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    #: The name others on a shift see; the first name unless the person chose another.
    display_name: Mapped[str] = mapped_column(sa.String(60))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    #: Interface language, "en" or "da".
    locale: Mapped[str] = mapped_column(sa.String(5), default="en")
    role: Mapped[Role] = mapped_column(
        str_enum(Role),
        default=Role.VOLUNTEER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: Rotated whenever the password, activation or erasure changes; signed links carry it,
    #: so a reset or invitation link works once and no longer after any such change.
    security_stamp: Mapped[str] = mapped_column(sa.String(32), default=_new_stamp)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[dt.datetime | None]
    #: The last TOTP time step accepted; a code at or before it is refused (used once).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    approved_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    erasure_requested_at: Mapped[dt.datetime | None]
    erased_at: Mapped[dt.datetime | None]

    languages: Mapped[list[UserLanguage]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserLanguage.code"
    )
    qualifications: Mapped[list[UserQualification]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="UserQualification.user_id",
    )
    application: Mapped[Application | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan",
        foreign_keys="Application.user_id",
    )

    # Flask-Login reads these three; the session id, not the user id, is what it stores.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:  # pragma: no cover - sessions are loaded by token, see auth
        raise NotImplementedError("users are loaded through their server-side session")

    @property
    def first_name(self) -> str:
        return self.display_name or self.full_name.split(" ")[0]

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None

    def has_role(self, role: Role) -> bool:
        return self.role.at_least(role)

    def rotate_stamp(self) -> None:
        self.security_stamp = _new_stamp()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class UserLanguage(Base):
    __tablename__ = "user_language"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)

    user: Mapped[User] = relationship(back_populates="languages")


class Qualification(Base):
    __tablename__ = "qualification"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short stable key used in code and demo data, e.g. "hotline".
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(80))
    name_da: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale) -> str:
        """The name in ``locale``: "da" or a Danish Babel locale ("da_DK", what pages use) reads
        the Danish name."""
        return self.name_da if str(locale).split("_")[0].split("-")[0] == "da" else self.name_en


class UserQualification(Base):
    __tablename__ = "user_qualification"
    __table_args__ = (sa.UniqueConstraint("user_id", "qualification_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    qualification_id: Mapped[int] = mapped_column(sa.ForeignKey("qualification.id"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The last day the qualification holds (inclusive); None means it does not expire.
    expires_on: Mapped[dt.date | None]

    user: Mapped[User] = relationship(back_populates="qualifications", foreign_keys=[user_id])
    qualification: Mapped[Qualification] = relationship(lazy="joined")
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    def is_valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class Application(TimestampMixin, Base):
    """What a person wrote when applying to volunteer, and the coordinator's decision."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    availability: Mapped[str] = mapped_column(sa.String(1000))
    motivation: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus),
        default=ApplicationStatus.PENDING,
        index=True,
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    #: Why it was rejected (or a note on approval); kept for the coordinators.
    reason: Mapped[str | None] = mapped_column(sa.String(1000))

    user: Mapped[User] = relationship(back_populates="application", foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class UserSession(TimestampMixin, Base):
    """A server-side login session; the cookie holds only its random token."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the cookie; a database leak does not give away sessions.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: A short description of the browser ("Firefox on Android"); never the IP address.
    user_agent: Mapped[str] = mapped_column(sa.String(120), default="")
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[dt.datetime | None]


class LoginFailure(Base):
    """A wrong password for an account: the per-account throttle counts these rows, never
    successful logins. Rows older than the throttle window are pruned by a sweep."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_account_at", "account", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the normalised email tried (accounts that do not exist are throttled too).
    account: Mapped[str] = mapped_column(sa.String(64))
    #: SHA-256 of the device-cookie nonce when the browser had logged in as this account
    #: before; None for any other browser.
    device: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

