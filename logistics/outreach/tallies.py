"""The tally of a shift: counts only (contacts by gender, of which new, calls, visits and
referrals by partner), never a person. The first member starts it, the others see and
correct it; members edit for 7 days, coordinators after."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.errors import Conflict, DomainError, PermissionDenied
from logistics.outreach.checkouts import on_shift
from logistics.outreach.models import GENDERS, TALLY_KINDS, Partner, Referral, Tally
from logistics.people.models import Role
from logistics.shifts.models import ActivityKind, Shift, ShiftStatus

if TYPE_CHECKING:
    from logistics.people.models import User

#: The people on the shift may correct its tally this long after it was started.
EDIT_WINDOW = dt.timedelta(days=7)
#: No shift counts more than this of anything (a typo guard; the CHECKs keep the rest).
MAX_COUNT = 10_000
NOTE_MAX = 1000


def takes_tally(shift: Shift) -> bool:
    return shift.activity.kind in TALLY_KINDS


def count_fields(kind: ActivityKind) -> tuple[str, ...]:
    """The counts a shift of ``kind`` records: contacts for all, calls on the hotline, visits in prison."""
    extra = {ActivityKind.HOTLINE: ("calls",), ActivityKind.PRISON_VISIT: ("visits",)}.get(kind, ())
    return (*GENDERS, "new_contacts", *extra)


def for_shift(session, shift_id: int) -> Tally | None:
    return session.scalars(sa.select(Tally).where(Tally.shift_id == shift_id)).first()


def may_see(session, shift: Shift, user: User) -> bool:
    """Staff and up see every tally; a volunteer only those of shifts they were on."""
    return user.has_role(Role.STAFF) or on_shift(session, shift, user.id) is not None


def may_edit(session, shift: Shift, tally: Tally | None, user: User, now: dt.datetime | None = None) -> bool:
    if user.has_role(Role.COORDINATOR):
        return True
    if not may_see(session, shift, user):
        return False
    return tally is None or (now or utcnow()) - tally.created_at <= EDIT_WINDOW


def _check(shift: Shift, now: dt.datetime) -> None:
    if not takes_tally(shift):
        raise DomainError(str(_l("This kind of shift takes no tally.")))
    if shift.status == ShiftStatus.CANCELLED:
        raise DomainError(str(_l("This shift was cancelled.")))
    if shift.ends_at > now:
        raise DomainError(str(_l("The tally opens when the shift has ended.")))


def _counts(kind: ActivityKind, values: dict[str, int | None]) -> dict[str, int]:
    wanted = count_fields(kind)
    counts = {}
    for name in ("women", "men", "transgender", "not_stated", "new_contacts", "calls", "visits"):
        value = values.get(name) if name in wanted else 0
        value = 0 if value is None else value
        if not isinstance(value, int) or isinstance(value, bool):
            raise DomainError(str(_l("Enter a whole number.")), field=name)
        if value < 0:
            raise DomainError(str(_l("A count cannot be negative.")), field=name)
        if value > MAX_COUNT:
            raise DomainError(str(_l("Enter a number from %(min)d to %(max)d.", min=0, max=MAX_COUNT)), field=name)
        counts[name] = value
    if counts["new_contacts"] > sum(counts[g] for g in GENDERS):
        raise DomainError(str(_l("New contacts cannot be more than all contacts.")), field="new_contacts")
    return counts


def _referrals(session, referrals: dict[int, int | None], tally: Tally | None) -> dict[int, int]:
    kept = {r.partner_id for r in tally.referrals} if tally else set()
    partners = {p.id: p for p in session.scalars(sa.select(Partner).where(Partner.id.in_(list(referrals))))}
    out = {}
    for partner_id, count in referrals.items():
        count = count or 0
        partner = partners.get(partner_id)
        if partner is None or (not partner.is_active and partner_id not in kept):
            raise DomainError(str(_l("Reload the page and try again.")))
        if count < 0:
            raise DomainError(str(_l("A count cannot be negative.")), field=f"partner-{partner_id}")
        if count > MAX_COUNT:
            raise DomainError(str(_l("Enter a number from %(min)d to %(max)d.", min=0, max=MAX_COUNT)),
                              field=f"partner-{partner_id}")
        if count:
            out[partner_id] = count
    return out


def save(session, shift: Shift, *, counts: dict[str, int | None], referrals: dict[int, int | None],
         note: str = "", by: User) -> Tally:
    """Start or correct the tally of ``shift``. Nothing is saved when a value is wrong."""
    now = utcnow()
    _check(shift, now)
    tally = for_shift(session, shift.id)
    if not may_see(session, shift, by):
        raise PermissionDenied(str(_l("Only the people on this shift record its tally.")))
    if not may_edit(session, shift, tally, by, now):
        raise PermissionDenied(str(_l("This tally is more than 7 days old: ask a coordinator to correct it.")))
    values = _counts(shift.activity.kind, counts)
    wanted = _referrals(session, referrals, tally)
    note = (note or "").replace("\x00", "").strip()[:NOTE_MAX]
    if tally is None:
        tally = Tally(shift_id=shift.id, note=note, created_by_id=by.id, updated_by_id=by.id, created_at=now,
                      **values)
        tally.referrals = [Referral(partner_id=pid, count=n) for pid, n in sorted(wanted.items())]
        try:
            with session.begin_nested():  # two members starting it at the same moment
                session.add(tally)
                session.flush()
        except IntegrityError:
            raise Conflict(str(_l("Someone on the shift has just started the tally: check it and correct it "
                                  "if needed."))) from None
        audit.record(session, by=by, action="outreach.tally_created", entity="shift", entity_id=shift.id,
                     changes={**values, "referrals": _named(session, wanted)})
        return tally
    changes = audit.diff(tally, {**values, "note": note})
    before = {r.partner_id: r.count for r in tally.referrals}
    for name, value in values.items():
        setattr(tally, name, value)
    tally.note = note
    if before != wanted:
        existing = {r.partner_id: r for r in tally.referrals}
        for pid in set(existing) - set(wanted):
            tally.referrals.remove(existing[pid])
        for pid, n in wanted.items():
            if pid in existing:
                existing[pid].count = n
            else:
                tally.referrals.append(Referral(partner_id=pid, count=n))
        changes["referrals"] = [_named(session, before), _named(session, wanted)]
    if changes:
        tally.updated_by_id = by.id
        tally.updated_at = now
        if "note" in changes:  # the trail says that the note changed, not what it says
            changes["note"] = [bool(changes["note"][0]), bool(changes["note"][1])]
        audit.record(session, by=by, action="outreach.tally_changed", entity="shift", entity_id=shift.id,
                     changes=changes)
    session.flush()
    return tally


def _named(session, counts: dict[int, int]) -> dict[str, int]:
    if not counts:
        return {}
    names = dict(session.execute(sa.select(Partner.id, Partner.name).where(Partner.id.in_(list(counts)))).all())
    return {names.get(pid, str(pid)): n for pid, n in sorted(counts.items())}
