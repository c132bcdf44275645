"""Read side for people: the volunteers directory, one person's page, language names, applications, user search."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from babel import Locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from logistics.counts import Count
from logistics.people.models import (
    SPOKEN_LANGUAGES,
    Application,
    ApplicationStatus,
    Qualification,
    Role,
    User,
    UserQualification,
)

#: Names CLDR does not have, in the interface languages.
_EXTRA_LANGUAGE_NAMES = {"edo": _l("Edo (Bini)")}


def language_names(locale: str) -> dict[str, str]:
    """{code: name} of the spoken languages, named in ``locale`` and capitalised."""
    names = Locale.parse(locale).languages
    out = {}
    for code in SPOKEN_LANGUAGES:
        name = str(names.get(code) or _EXTRA_LANGUAGE_NAMES.get(code) or code)
        out[code] = name[:1].upper() + name[1:]
    return out


def language_choices(locale: str) -> list[tuple[str, str]]:
    """Spoken languages as form choices, sorted by their name in ``locale``."""
    return sorted(language_names(locale).items(), key=lambda item: item[1].casefold())


def volunteer_directory(session, *, q: str | None = None, language: str | None = None,
                        qualification_id: int | None = None, page: int = 1, per_page: int = 50):
    """Active, approved volunteers with their languages and qualifications, and the total."""
    stmt = sa.select(User).where(User.role == Role.VOLUNTEER, User.is_active.is_(True),
                                 User.approved_at.is_not(None), User.erased_at.is_(None))
    if q and q.strip():
        needle = q.strip().lower()
        stmt = stmt.where(sa.or_(sa.func.lower(User.full_name).contains(needle, autoescape=True),
                                 sa.func.lower(User.display_name).contains(needle, autoescape=True),
                                 User.email.contains(needle, autoescape=True),
                                 User.phone.contains(needle, autoescape=True)))
    if language in SPOKEN_LANGUAGES:
        from logistics.people.models import UserLanguage

        stmt = stmt.where(User.languages.any(UserLanguage.code == language))
    if qualification_id:
        stmt = stmt.where(User.qualifications.any(UserQualification.qualification_id == qualification_id))
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(
        stmt.options(selectinload(User.languages), selectinload(User.qualifications))
        .order_by(sa.func.lower(User.full_name), User.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return rows, total


def qualifications(session, *, active_only: bool = False) -> list[Qualification]:
    stmt = sa.select(Qualification).order_by(Qualification.name_en)
    if active_only:
        stmt = stmt.where(Qualification.is_active.is_(True))
    return list(session.scalars(stmt))


def user_for_admin(session, user_id: int) -> User | None:
    """One person with everything their admin page shows."""
    return session.scalar(
        sa.select(User).where(User.id == user_id)
        .options(selectinload(User.languages),
                 selectinload(User.qualifications).joinedload(UserQualification.granted_by))
    )


def decided_applications(session, *, page: int = 1, per_page: int = 25) -> tuple[list[Application], int]:
    """Approved and rejected applications, the latest decision first, one page of them."""
    where = Application.status != ApplicationStatus.PENDING
    total = session.scalar(sa.select(sa.func.count()).select_from(Application).where(where))
    rows = session.scalars(
        sa.select(Application).where(where)
        .options(joinedload(Application.user), joinedload(Application.decided_by))
        .order_by(Application.decided_at.desc(), Application.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(rows), total


@functools.cache
def _pending_count() -> sa.Select:
    return (sa.select(sa.func.count()).select_from(Application).join(Application.user)
            .where(Application.status == ApplicationStatus.PENDING, User.erased_at.is_(None)))


def pending_count_query() -> Count:
    """:func:`pending_count` as a :class:`~logistics.counts.Count`."""
    return Count(_pending_count())


def pending_count(session) -> int:
    """Applications waiting for a decision (erased applicants excluded)."""
    return pending_count_query().scalar(session)


def pending_applications(session) -> list[Application]:
    return list(session.scalars(
        sa.select(Application).join(Application.user)
        .where(Application.status == ApplicationStatus.PENDING, User.erased_at.is_(None))
        .options(sa.orm.joinedload(Application.user).selectinload(User.languages))
        .order_by(Application.created_at)
    ))


def search_users(session, *, q: str | None = None, role: str | None = None, status: str | None = None,
                 page: int = 1, per_page: int = 50):
    """Users matching a search; status is active, inactive, pending, erasure or erased."""
    stmt = sa.select(User).options(sa.orm.selectinload(User.qualifications))
    if q and q.strip():
        needle = q.strip().lower()
        stmt = stmt.where(sa.or_(sa.func.lower(User.full_name).contains(needle, autoescape=True),
                                 User.email.contains(needle, autoescape=True),
                                 sa.func.lower(User.display_name).contains(needle, autoescape=True)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if status == "active":
        stmt = stmt.where(User.is_active.is_(True), User.approved_at.is_not(None), User.erased_at.is_(None))
    elif status == "inactive":
        stmt = stmt.where(User.is_active.is_(False), User.erased_at.is_(None))
    elif status == "pending":
        stmt = stmt.where(User.approved_at.is_(None), User.erased_at.is_(None))
    elif status == "erasure":
        stmt = stmt.where(User.erasure_requested_at.is_not(None), User.erased_at.is_(None))
    elif status == "erased":
        stmt = stmt.where(User.erased_at.is_not(None))
    else:
        stmt = stmt.where(User.erased_at.is_(None))
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(sa.func.lower(User.full_name), User.id)
                           .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return rows, total
