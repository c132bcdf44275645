"""The annual report's figures against the hand-worked totals of tests/reports/dataset.py; the
hotline's hours covered against hand-worked shifts (overlaps, month ends, clock changes)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from logistics.errors import DomainError
from logistics.extensions import db
from logistics.reports import annual
from logistics.reports.months import Period
from logistics.shifts.models import ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.reports.dataset import build
from tests.shifts import helpers as h


def _row(report, section, key):
    return report.section(section).row(key)


def test_every_figure_by_month(session):
    p = build()
    r = annual.report(session, Period.year(2026))
    assert len(r.period.months) == 12
    # Outreach: 10 and 20 January; the cancelled one and the one nobody came to do not count.
    assert _row(r, "outreach", "outreach_shifts").values[:4] == [2, 0, 0, 0]
    # Contacts: January 3+4 women, 1 man, 1 transgender, 1 not stated; February 1 not stated
    # (hotline); March 9 women (a tally on a shift marked absent still counts what was met).
    assert _row(r, "contacts", "women").values[:3] == [7, 0, 9]
    assert _row(r, "contacts", "men").total == 1
    assert _row(r, "contacts", "not_stated").values[:2] == [1, 1]
    assert _row(r, "contacts", "contacts").values[:3] == [10, 1, 9] and _row(r, "contacts", "contacts").total == 20
    assert _row(r, "contacts", "new_contacts").total == 3
    # Hotline: 6 h + 4 h in February, 5 + 2 calls.
    assert _row(r, "hotline", "hotline_hours").values[1] == Decimal("10.0")
    assert _row(r, "hotline", "calls").values[1] == 7 and _row(r, "hotline", "calls").total == 7
    assert _row(r, "prison", "prison_shifts").values[3] == 1 and _row(r, "prison", "visits").total == 3
    # Food packs: January 10 issued outside a distribution + 25 standard + 4 family handed out on
    # the 27th (their issue movements are not counted again; the hygiene pack is no food pack);
    # March 12 on the 31st; May 3 issued. December 2025, the undone 20 in July, the packed but
    # not handed-out distribution in April and the cancelled one in May do not count.
    food = _row(r, "food_packs", "food_packs").values
    assert food == [39, 0, 12, 0, 3, 0, 0, 0, 0, 0, 0, 0]
    assert _row(r, "food_packs", "food_packs").total == 54
    # Cooking: completed events on 22 and 29 January (14 + 3 diners) and 11 June (18); the
    # cancelled, the planned and last year's do not count.
    assert _row(r, "cooking", "cooking_events").values == [2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    diners = _row(r, "cooking", "diners")
    assert diners.values[0] == 17 and diners.values[5] == 18 and diners.total == 35
    assert _row(r, "handed_out", "medicine").values[0] == 4
    assert _row(r, "handed_out", "tests").values[1] == 12
    assert _row(r, "handed_out", "travel_cards").values[5] == 2 and _row(r, "handed_out", "travel_cards").total == 2
    # Referrals: CMM 2 + 5, hospital 1, all in January.
    assert _row(r, "referrals", f"partner-{p['cmm'].id}").values[0] == 7
    assert _row(r, "referrals", f"partner-{p['hospital'].id}").total == 1
    # Volunteer hours: Jan 2×3 + 2×2.5, Feb 6 + 4, Apr 2 = 23; Ada, Bea and Cleo were active.
    hours = _row(r, "volunteers", "volunteer_hours")
    assert hours.values[:4] == [Decimal("11.0"), Decimal("10.0"), Decimal("0"), Decimal("2.0")]
    assert hours.total == Decimal("23.0")
    active = _row(r, "volunteers", "active_volunteers")
    assert active.values[:4] == [3, 2, 0, 1] and active.total == 3 == r.active_volunteers


def test_a_date_range(session):
    build()
    r = annual.report(session, Period.of(dt.date(2025, 12, 15), dt.date(2026, 1, 31)))
    assert [m.month for m in r.period.months] == [12, 1]
    # December: 7 issued on the 20th + 8 handed out on the 16th; January as in the year.
    assert _row(r, "food_packs", "food_packs").values == [15, 39]
    assert _row(r, "cooking", "diners").values == [0, 17]
    assert _row(r, "contacts", "women").values == [50, 7]


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(DomainError, match="ends before it starts"):
        Period.of(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


# --- the hotline's hours covered -------------------------------------------------------------

def _hotline(act, start, end, *, status=ShiftStatus.SCHEDULED, attended=True):
    """A hotline shift from ``start`` to ``end`` with one volunteer on it."""
    s = h.shift(act, start=start, hours=(end - start).total_seconds() / 3600, status=status)
    db.session.add(Signup(shift_id=s.id, user_id=factories.user().id, status=SignupStatus.CONFIRMED,
                          attended=attended))
    s.confirmed_count = 1
    db.session.flush()
    return s


def _hours(period):
    return annual.report(db.session, period).section("hotline").row("hotline_hours")


@pytest.mark.at("2027-02-15T12:00")
def test_overlapping_hotline_shifts_are_hours_covered_once(session):
    phone, second_phone = h.activity("hotline"), h.activity("hotline")
    _hotline(phone, h.local(2026, 3, 3, 8), h.local(2026, 3, 3, 12))
    _hotline(second_phone, h.local(2026, 3, 3, 10), h.local(2026, 3, 3, 14))  # 08–14: 6 h, not 8
    _hotline(phone, h.local(2026, 3, 5, 9), h.local(2026, 3, 5, 17))
    _hotline(second_phone, h.local(2026, 3, 5, 11), h.local(2026, 3, 5, 13))  # inside 09–17: 8 h
    _hotline(phone, h.local(2026, 3, 7, 12), h.local(2026, 3, 7, 14))
    _hotline(phone, h.local(2026, 3, 7, 14), h.local(2026, 3, 7, 16))  # handed over at 14: 4 h
    outreach = h.activity("street_outreach")
    _hotline(outreach, h.local(2026, 3, 9, 10), h.local(2026, 3, 9, 13))  # not the hotline
    row = _hours(Period.year(2026))
    assert row.unit == "hours"
    assert row.values == [Decimal(0)] * 2 + [Decimal("18.0")] + [Decimal(0)] * 9
    assert row.total == Decimal("18.0")


@pytest.mark.at("2027-02-15T12:00")
def test_a_shift_across_a_month_end_gives_each_month_its_hours(session):
    phone = h.activity("hotline")
    _hotline(phone, h.local(2026, 1, 31, 22), h.local(2026, 2, 1, 6))  # January 2 h, February 6 h
    _hotline(phone, h.local(2025, 12, 31, 22), h.local(2026, 1, 1, 4))  # 2025: 2 h; 2026: 4 h
    _hotline(phone, h.local(2026, 12, 31, 20), h.local(2027, 1, 1, 2))  # 2026: 4 h; 2027: 2 h
    year = _hours(Period.year(2026)).values
    assert year[:2] == [Decimal("6.0"), Decimal("6.0")] and year[11] == Decimal("4.0")
    assert sum(year[2:11]) == 0
    assert _hours(Period.year(2025)).values[11] == Decimal("2.0")
    assert _hours(Period.year(2027)).values[0] == Decimal("2.0")
    # A range from the middle of January: the hours of 1 January are before it.
    assert _hours(Period.of(dt.date(2026, 1, 15), dt.date(2026, 2, 1))).values == [Decimal("2.0"), Decimal("6.0")]


@pytest.mark.at("2026-06-10T12:00")
def test_only_held_hotline_shifts_are_hours_covered(session):
    phone = h.activity("hotline")
    _hotline(phone, h.local(2026, 6, 1, 10), h.local(2026, 6, 1, 14), status=ShiftStatus.CANCELLED)
    _hotline(phone, h.local(2026, 6, 2, 10), h.local(2026, 6, 2, 14), attended=False)  # nobody came
    _hotline(phone, h.local(2026, 6, 10, 8), h.local(2026, 6, 10, 16))  # still running
    _hotline(phone, h.local(2026, 6, 12, 8), h.local(2026, 6, 12, 16))  # to come
    _hotline(phone, h.local(2026, 6, 3, 10), h.local(2026, 6, 3, 12))  # held: 2 h
    assert _hours(Period.year(2026)).values[5] == Decimal("2.0")
    assert _hours(Period.year(2026)).total == Decimal("2.0")


@pytest.mark.at("2027-02-15T12:00")
def test_hours_across_a_clock_change_are_the_hours_that_passed(session):
    phone, second_phone = h.activity("hotline"), h.activity("hotline")
    # 29 March 2026 has 23 hours (02:00 becomes 03:00), 25 October 2026 has 25 (03:00 becomes 02:00).
    _hotline(phone, h.local(2026, 3, 29, 0), h.local(2026, 3, 29, 12))
    _hotline(second_phone, h.local(2026, 3, 29, 6), h.local(2026, 3, 30, 0))
    _hotline(phone, h.local(2026, 10, 25, 0), h.local(2026, 10, 25, 12))
    _hotline(second_phone, h.local(2026, 10, 25, 11), h.local(2026, 10, 26, 0))
    row = _hours(Period.year(2026))
    assert row.values[2] == Decimal("23.0") and row.values[9] == Decimal("25.0")
    assert row.total == Decimal("48.0")


def test_covered_hours_within_bounds_by_hand():
    t = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n) for n in range(30)]
    bounds = [t[0], t[10], t[20]]
    # 2–5 and 4–7 merge into 2–7; 8–12 is split at 10; 25–29 is past the last bound.
    assert annual.covered_hours([(t[2], t[5]), (t[4], t[7]), (t[8], t[12]), (t[25], t[29])], bounds) == [
        Decimal("7.0"), Decimal("2.0")]
    assert annual.covered_hours([], bounds) == [Decimal("0.0"), Decimal("0.0")]


def test_the_report_is_ten_statements_whatever_the_data(app, session, queries):
    with queries() as empty:
        annual.report(session, Period.year(2026))
    build()
    with queries() as full:
        annual.report(session, Period.year(2026))
    assert empty.count == full.count == 10
