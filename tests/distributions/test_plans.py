"""The monthly plan: pattern days (five-Tuesday months, every other Thursday, picked days),
default counts from history, shifts created in local time across daylight saving, refusals
and one plan per month."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.clock import to_local
from logistics.distributions import plans
from logistics.distributions.models import Distribution, PlannedMonth
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.shifts.models import Shift
from tests.distributions.conftest import plan

D = dt.date
TU, TH = 1, 3


def test_second_and_fourth_tuesday_in_a_month_with_five_tuesdays():
    # December 2026 has five Tuesdays (1, 8, 15, 22, 29).
    assert plans.nth_weekdays(D(2026, 12, 1), TU, (2, 4)) == [D(2026, 12, 8), D(2026, 12, 22)]
    assert plans.nth_weekdays(D(2026, 12, 1), TU, (5,)) == [D(2026, 12, 29)]
    assert plans.nth_weekdays(D(2026, 12, 1), TU, (-1,)) == [D(2026, 12, 29)]
    # February 2027 has four: no fifth, the last is the 4th.
    assert plans.nth_weekdays(D(2027, 2, 1), TU, (5,)) == []
    assert plans.nth_weekdays(D(2027, 2, 1), TU, (4, -1)) == [D(2027, 2, 23)]


def test_every_other_thursday_runs_across_month_ends():
    days = plans.pattern_days(plans.Pattern("weekly", weekday=TH, interval=2, start=D(2026, 12, 1)),
                              plans.months_from(D(2026, 12, 1), 2))
    assert days == [D(2026, 12, 3), D(2026, 12, 17), D(2026, 12, 31), D(2027, 1, 14), D(2027, 1, 28)]


def test_picked_days_outside_the_months_are_left_out():
    days = plans.pattern_days(plans.Pattern("dates", dates=(D(2026, 12, 9), D(2027, 3, 1), D(2026, 12, 2))),
                              plans.months_from(D(2026, 12, 1), 1))
    assert days == [D(2026, 12, 2), D(2026, 12, 9)]


def test_proposal_skips_days_before_tomorrow_and_planned_months(ns):
    # Frozen on Wednesday 25 November 2026: the 4th Tuesday (24th) is past.
    pattern = plans.Pattern("monthly", weekday=TU, ordinals=(2, 4))
    proposal = plans.propose(db.session, pattern, plans.months_from(D(2026, 11, 1), 3))
    assert proposal.past == [D(2026, 11, 10), D(2026, 11, 24)]
    assert proposal.days == [D(2026, 12, 8), D(2026, 12, 22), D(2027, 1, 12), D(2027, 1, 26)]
    plan(ns, [D(2026, 12, 8)])
    db.session.commit()
    proposal = plans.propose(db.session, pattern, plans.months_from(D(2026, 12, 1), 2))
    assert proposal.taken_months == [D(2026, 12, 1)]
    assert proposal.days == [D(2027, 1, 12), D(2027, 1, 26)]


def test_create_plan_makes_shifts_linked_to_each_distribution_in_local_time_across_dst(ns):
    # 28 March 2027: summer time starts on Sunday; packing Saturday 27th (UTC+1), hand-out
    # Sunday 28th (UTC+2), both at their local wall-clock times.
    created = plan(ns, [D(2027, 3, 28), D(2027, 3, 29)])
    db.session.commit()
    first = created[0]
    assert to_local(first.handout_shift.starts_at).time() == dt.time(14, 0)
    assert to_local(first.handout_shift.starts_at).utcoffset() == dt.timedelta(hours=2)
    assert to_local(first.packing_shift.starts_at).date() == D(2027, 3, 27)
    assert to_local(first.packing_shift.starts_at).time() == dt.time(16, 0)
    assert to_local(first.packing_shift.starts_at).utcoffset() == dt.timedelta(hours=1)
    assert first.handout_shift.capacity_min == 2 and first.packing_shift.capacity_max == 8
    assert [line.planned_packs for line in first.lines] == [10]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 4
    assert db.session.get(PlannedMonth, D(2027, 3, 1)) is not None


def test_the_distribution_keeps_its_recipe_when_the_recipe_changes(ns):
    from logistics.stock import recipes
    d = plan(ns, [D(2026, 12, 8)])[0]
    recipes.save_recipe(db.session, ns.recipe, pack_item_id=ns.pack.id, lines=[(ns.rice.id, "9")], by=ns.coordinator)
    db.session.commit()
    db.session.expire_all()
    assert sorted((c.item.name, str(c.quantity)) for c in d.lines[0].components) == [("Oil", "1"), ("Rice", "2")]


@pytest.mark.parametrize("days, counts, message", [
    ([D(2026, 11, 25)], None, "too soon"),
    ([D(2026, 11, 1)], None, "too soon"),
    ([], None, "at least one day"),
    ([D(2026, 12, 8)], {"recipe": 0}, "at least one pack"),
    ([D(2026, 12, 8)], {"recipe": -3}, "whole number"),
    ([D(2026, 12, 8)], {"recipe": 10**9}, "whole number"),
    ([D(2026, 12, 8)], {123456: 3}, "does not exist"),
])
def test_bad_plans_are_refused_and_nothing_is_saved(ns, days, counts, message):
    if counts is not None:
        counts = {(ns.recipe.id if k == "recipe" else k): v for k, v in counts.items()}
    with pytest.raises(DomainError, match=message):
        plan(ns, days, counts)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Distribution)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 0


def test_a_month_is_planned_once(ns):
    plan(ns, [D(2026, 12, 8)])
    db.session.commit()
    with pytest.raises(Conflict, match="just been planned by someone else"):
        plan(ns, [D(2026, 12, 22), D(2027, 1, 12)])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Distribution)) == 1


def test_default_counts_are_the_average_handed_out_over_three_months(ns):
    from logistics.distributions.models import DistributionLine, DistributionStatus
    for day, n in [(D(2026, 8, 20), 99), (D(2026, 9, 10), 20), (D(2026, 10, 8), 25), (D(2026, 11, 12), 24)]:
        d = Distribution(day=day, location_id=ns.storeroom.id, status=DistributionStatus.COMPLETED)
        d.lines.append(DistributionLine(pack_item_id=ns.pack.id, planned_packs=100, packed_packs=100,
                                        handed_out_packs=n))
        db.session.add(d)
    db.session.flush()
    # August is more than three months back: (20 + 25 + 24) / 3 = 23, rounded up.
    assert plans.average_handed_out(db.session) == {ns.pack.id: 23}


def test_a_plan_packs_at_a_storeroom_not_in_a_bag(ns):
    from tests.distributions.conftest import TIMES
    with pytest.raises(DomainError, match="not in a bag"):
        plans.create_plan(db.session, days=[D(2026, 12, 8)], counts={ns.recipe.id: 5}, location=ns.bag, place=None,
                          times=TIMES, by=ns.coordinator)
