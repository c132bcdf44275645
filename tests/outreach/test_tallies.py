"""The tally: counts only, one per shift, the first member starts it and others correct it,
members edit for 7 days and coordinators after; bad input saves nothing."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.clock import utcnow
from logistics.errors import DomainError, PermissionDenied
from logistics.outreach import tallies
from logistics.outreach.models import Referral, Tally
from tests import factories
from tests.outreach.helpers import ended_shift, seeded_partners
from tests.shifts.helpers import actions

COUNTS = {"women": 5, "men": 1, "transgender": 2, "not_stated": 0, "new_contacts": 3}


def _count(session, model):
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_first_member_starts_it_and_another_corrects_it(session):
    p = seeded_partners()
    shift, (a, b) = ended_shift()
    tally = tallies.save(session, shift, counts=COUNTS, referrals={p["cmm"].id: 2, p["hospital"].id: 1}, by=a)
    assert (tally.contacts, tally.new_contacts, tally.created_by_id) == (8, 3, a.id)
    tallies.save(session, shift, counts={**COUNTS, "women": 6}, referrals={p["cmm"].id: 3}, note="Cold night", by=b)
    assert _count(session, Tally) == 1
    tally = tallies.for_shift(session, shift.id)
    assert (tally.women, tally.updated_by_id, tally.note) == (6, b.id, "Cold night")
    assert {(r.partner.code, r.count) for r in tally.referrals} == {("cmm", 3)}
    assert actions(session)[-2:] == ["outreach.tally_created", "outreach.tally_changed"]


def test_calls_only_on_the_hotline_and_visits_only_in_prison(session):
    hotline, (a, _) = ended_shift("hotline")
    tally = tallies.save(session, hotline, counts={**COUNTS, "calls": 7, "visits": 4}, referrals={}, by=a)
    assert (tally.calls, tally.visits) == (7, 0)
    prison, (c, _) = ended_shift("prison_visit")
    tally = tallies.save(session, prison, counts={"visits": 2}, referrals={}, by=c)
    assert (tally.calls, tally.visits, tally.contacts) == (0, 2, 0)


@pytest.mark.parametrize("counts,referral,message", [
    ({**COUNTS, "women": -1}, 0, "negative"),
    ({**COUNTS, "new_contacts": 9}, 0, "New contacts cannot be more"),
    (COUNTS, -2, "negative"),
])
def test_bad_counts_save_nothing(session, counts, referral, message):
    p = seeded_partners()
    shift, (a, _) = ended_shift()
    with pytest.raises(DomainError, match=message):
        tallies.save(session, shift, counts=counts, referrals={p["cmm"].id: referral}, by=a)
    assert _count(session, Tally) == 0 and _count(session, Referral) == 0


def test_no_tally_before_the_end_or_on_a_kind_that_takes_none(session):
    shift, (a, _) = ended_shift(ended_ago=dt.timedelta(hours=-1))  # ends in an hour
    with pytest.raises(DomainError, match="opens when the shift has ended"):
        tallies.save(session, shift, counts=COUNTS, referrals={}, by=a)
    packing, (b, _) = ended_shift("packing")
    with pytest.raises(DomainError, match="takes no tally"):
        tallies.save(session, packing, counts=COUNTS, referrals={}, by=b)
    assert _count(session, Tally) == 0


def test_someone_not_on_the_shift_may_not(session):
    shift, _ = ended_shift()
    with pytest.raises(PermissionDenied):
        tallies.save(session, shift, counts=COUNTS, referrals={}, by=factories.user("volunteer"))


def test_members_edit_for_7_days_coordinators_after(session):
    shift, (a, b) = ended_shift()
    tallies.save(session, shift, counts=COUNTS, referrals={}, by=a)
    with clock.frozen(utcnow() + dt.timedelta(days=8)):
        with pytest.raises(PermissionDenied, match="7 days"):
            tallies.save(session, shift, counts={**COUNTS, "men": 2}, referrals={}, by=b)
        coordinator = factories.user("coordinator")
        tallies.save(session, shift, counts={**COUNTS, "men": 2}, referrals={}, by=coordinator)
    assert tallies.for_shift(session, shift.id).men == 2
