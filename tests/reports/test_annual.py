"""The annual report's figures against the hand-worked totals of tests/reports/dataset.py."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from logistics.errors import DomainError
from logistics.reports import annual
from logistics.reports.months import Period
from tests.reports.dataset import build


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
