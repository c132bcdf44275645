"""Statements that may be prepared keep a good plan for any values.

A request that only read ends with COMMIT, so psycopg keeps the statements it prepared and
PostgreSQL may then plan each one once, for any values (logistics.db). For most statements
that plan is as good as one made for the values; for one person's sign-ups in a window of
dates it was not: it read every shift in the window (18 ms instead of 0.4 on "My hours").
Such statements are never prepared. Here, on PostgreSQL with two years of shifts (one back,
one ahead), the person on every tenth and sixty others on every twentieth, each statement the busiest pages send that
may be prepared reads, in its plan for any values, about what its plan for its own values
reads."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.extensions import db
from tests import factories
from tests.plans import analyze, plans, rows_read
from tests.shifts import helpers as h

#: Shifts every 12 hours of each kind, a year back and a year ahead.
EVERY_12_HOURS = 365 * 2
#: Other volunteers, each on every twentieth shift.
PEOPLE = 60
#: The tables whose rows read are compared.
TABLES = ("shift", "signup")

PAGES = ["/", "/shifts/mine", "/shifts/open", "/shifts/calendar/month", "/shifts/calendar/week",
         "/shifts/coverage", "/shifts/staffing", "/reports/hours/mine", "/reports/annual", "/stock/"]


@pytest.fixture
def busy(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements' plans are PostgreSQL's")
    me = factories.user("admin")  # sees every role's part of the pages
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for kind in ("street_outreach", "hotline", "packing"):
        act = h.activity(kind, capacity=(1, 4))
        db.session.execute(sa.text(
            "INSERT INTO shift (activity_id, starts_at, ends_at, capacity_min, capacity_max, over_capacity,"
            " confirmed_count, waitlist_count, status, version, note, is_detached, created_at, updated_at)"
            " SELECT :act, :now + n * interval '12 hours', :now + n * interval '12 hours' + interval '3 hours',"
            " 1, 4, 0, 1, 0, 'scheduled', 1, '', false, :now, :now"
            " FROM generate_series(-CAST(:n AS integer), CAST(:n AS integer)) AS n"),
            dict(act=act.id, now=now, n=EVERY_12_HOURS))
    # Like the organisation's: many people, each on a share of the shifts (a plan for any
    # values then guesses a person's sign-ups as few, and a window of dates as fewer).
    others = [factories.user("volunteer").id for _ in range(PEOPLE)]
    db.session.flush()
    db.session.execute(sa.text(
        "INSERT INTO signup (shift_id, user_id, status, confirmed_at, created_at, updated_at)"
        " SELECT shift.id, people.id, 'confirmed', :now, :now, :now FROM shift"
        " JOIN unnest(CAST(:others AS integer[])) WITH ORDINALITY AS people(id, n)"
        "  ON (shift.id + people.n) % 20 = 0"
        " UNION ALL SELECT id, :me, 'confirmed', :now, :now, :now FROM shift WHERE id % 10 = 3"),
        dict(me=me.id, now=now, others=others))
    analyze("shift", "signup")
    return me


@pytest.mark.parametrize("url", PAGES)
def test_a_prepared_statement_reads_what_its_own_plan_reads(app, client, auth, busy, url):
    assert auth.login(busy).status_code == 302

    def page():
        assert client.get(url).status_code == 200

    generic = plans(page, table="", analyze=True, generic=True)
    custom = dict(plans(page, table="", analyze=True))
    assert generic, url
    for statement, plan in generic:
        own = rows_read(custom[statement], TABLES) if statement in custom else 0
        read = rows_read(plan, TABLES)
        assert read <= 2 * own + 100, (url, statement, own, read)
