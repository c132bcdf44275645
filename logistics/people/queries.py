"""Read side for people: lists the pages show."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics.people.models import Application, ApplicationStatus


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

