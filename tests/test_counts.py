"""The start page's numbers (logistics.counts): asked together in one statement, built once
per process, and equal to each count asked on its own."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from blueprints.main import home
from logistics import counts
from logistics.clock import today, utcnow
from logistics.counts import Count
from logistics.extensions import db
from logistics.notifications import queries as notification_queries
from logistics.outreach import queries as outreach_queries
from logistics.people import queries as people_queries
from logistics.people import services as people_services
from logistics.reports import hours
from logistics.shifts import queries as shift_queries
from logistics.shifts.models import Signup, SignupStatus
from logistics.stock.queries import lists as stock_queries
from tests import factories
from tests.outreach.helpers import ended_shift
from tests.shifts import helpers as h


def _some_of_everything(me):
    packing = h.activity("packing", capacity=(2, 4))
    for days in (1, 3, 6, 9):  # three within the start page's 7 days, all short of people
        h.shift(packing, in_days=days)
    asked = h.shift(packing, in_days=2)
    db.session.add(Signup(shift=asked, user_id=factories.user().id, status=SignupStatus.CONFIRMED,
                          cancel_requested_at=utcnow()))
    asked.confirmed_count = 1
    ended_shift(ended_ago=dt.timedelta(days=3))  # a street outreach shift with nobody's tally
    worked, _members = ended_shift(ended_ago=dt.timedelta(hours=5), members=[me])
    db.session.execute(sa.update(Signup).where(Signup.shift_id == worked.id, Signup.user_id == me.id)
                       .values(attended=True, hours=Decimal("2.5")))
    people_services.submit_application(db.session, full_name="Ada Applicant", email="ada@example.org", phone=None,
                                       languages=["en"], availability="Fridays", motivation="To help.")
    db.session.commit()


def test_the_start_page_numbers_are_the_counts_asked_one_by_one(app_ctx, queries):
    me = factories.user("admin")  # every role's numbers
    _some_of_everything(me)
    with queries() as q:
        together = home._counts(me)()
    # One statement (and the stock warning days from the settings, read once per request).
    assert len([s for s in q.statements if "FROM setting" not in s]) == 1, q.statements
    one_by_one = {
        "my_hours": hours.year_total(db.session, me.id, today().year),
        **{k: v for k, v in stock_queries.attention_counts(db.session).items() if k != "warning_days"},
        "understaffed": shift_queries.understaffed_count(db.session, days=7),
        "cancel_requests": shift_queries.cancellation_requests_count(db.session),
        "applications": people_queries.pending_count(db.session),
        "missing_tallies": outreach_queries.missing_tally_count(db.session),
        "failed_notifications": notification_queries.failed_count(db.session),
    }
    assert {**together, "my_hours": hours.as_hours(together["my_hours"])} == one_by_one
    assert one_by_one["my_hours"] == Decimal("2.5")
    assert one_by_one["understaffed"] == 3 and one_by_one["cancel_requests"] == 1
    assert one_by_one["missing_tallies"] == 1 and one_by_one["applications"] == 1


def test_the_counts_are_built_once(app_ctx):
    me = factories.user("admin")
    db.session.commit()
    assert shift_queries.understaffed_count_query().stmt is shift_queries.understaffed_count_query().stmt
    home._counts(me)()
    built = dict(counts._TOGETHER)
    home._counts(me)()
    assert counts._TOGETHER == built  # the same SELECT again, not a new one


def test_two_counts_may_not_share_a_parameter_with_other_values(app_ctx):
    a = shift_queries.understaffed_count_query(days=7)
    b = shift_queries.understaffed_count_query(days=14)
    with pytest.raises(ValueError, match="understaffed_to"):
        counts.together(db.session, {"week": a, "fortnight": b})
    # The same values are fine (the stock counts share "stock_on").
    assert counts.together(db.session, {"week": a, "again": Count(a.stmt, dict(a.params))}) == {"week": 0, "again": 0}
