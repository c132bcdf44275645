"""The managed list of partners a tally counts referrals to."""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.errors import Conflict, DomainError
from logistics.outreach.models import Partner

if TYPE_CHECKING:
    from logistics.people.models import User

#: The partners issue 12 names, as the migration seeds them (code, name, position).
SEED = (("cmm", "CMM", 0), ("reden", "Reden International", 10), ("ami_ami", "Ami Ami", 20),
        ("red_cross", "Red Cross clinic for undocumented migrants", 30), ("hospital", "Hospital", 40),
        ("other", "Other", 50))


def seed(session) -> int:
    """Add the seeded partners that are missing (idempotent); return how many were added."""
    have = set(session.scalars(sa.select(Partner.code).where(Partner.code.is_not(None))))
    made = 0
    for code, name, position in SEED:
        if code not in have:
            session.add(Partner(code=code, name=name, position=position))
            made += 1
    session.flush()
    return made


def save(session, partner: Partner | None, *, name: str, position: int = 100, is_active: bool = True,
         by: User | None) -> Partner:
    """Add a partner (``partner`` None) or rename, reorder or retire one."""
    name = (name or "").strip()[:120]
    if not name:
        raise DomainError(str(_l("Give the partner a name.")), field="name")
    clash = session.scalars(sa.select(Partner).where(sa.func.lower(Partner.name) == name.lower())).first()
    if clash is not None and clash is not partner:
        raise Conflict(str(_l("There is already a partner with this name.")))
    if partner is None:
        partner = Partner(name=name, position=position, is_active=is_active)
        session.add(partner)
        session.flush()
        audit.record(session, by=by, action="outreach.partner_created", entity="outreach_partner",
                     entity_id=partner.id, changes={"name": name})
        return partner
    changes = audit.diff(partner, {"name": name, "position": position, "is_active": is_active})
    partner.name, partner.position, partner.is_active = name, position, is_active
    if changes:
        audit.record(session, by=by, action="outreach.partner_changed", entity="outreach_partner",
                     entity_id=partner.id, changes=changes)
    session.flush()
    return partner
