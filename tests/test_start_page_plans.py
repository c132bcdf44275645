"""The start page's reads cost what the days they show cost, not the years behind them: on
PostgreSQL, with three years of street outreach and hotline shifts, each of its statements
reads at most a few hundred shifts (EXPLAIN ANALYZE of the statements really sent). Staff's
"outreach today and tomorrow" once read every outreach shift ever (no lower bound on the
start): 28,000 rows and 14 ms with thirty years of data."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.main import home
from logistics.clock import utcnow
from logistics.extensions import db
from tests import factories
from tests.plans import analyze, plans, rows_read
from tests.shifts import helpers as h

#: Shifts every 12 hours for three years back, of each kind below.
HISTORY = 3 * 365 * 2
#: The most shift rows one statement may read: a window of days, whatever the history.
MOST = 300


@pytest.fixture
def history(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the query plans are PostgreSQL's")
    me = factories.user("admin")  # every role's part of the start page
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for kind in ("street_outreach", "hotline"):
        act = h.activity(kind, capacity=(1, 4))
        db.session.execute(sa.text(
            "INSERT INTO shift (activity_id, starts_at, ends_at, capacity_min, capacity_max, over_capacity,"
            " confirmed_count, waitlist_count, status, version, note, is_detached, created_at, updated_at)"
            " SELECT :act, :now - n * interval '12 hours', :now - n * interval '12 hours' + interval '3 hours',"
            " 1, 4, 0, 1, 0, 'scheduled', 1, '', false, :now, :now FROM generate_series(1, :n) AS n"),
            dict(act=act.id, now=now, n=HISTORY))
    db.session.execute(sa.text(
        "INSERT INTO signup (shift_id, user_id, status, confirmed_at, created_at, updated_at)"
        " SELECT id, :me, 'confirmed', :now, :now, :now FROM shift"), dict(me=me.id, now=now))
    analyze("shift", "signup")
    return me


@pytest.mark.parametrize("generic", [False, True], ids=["planned-for-its-values", "prepared"])
def test_the_start_page_reads_days_not_years(app, history, generic):
    """Also as prepared statements (``generic``): their one plan for any values must not
    start from a window of years. The start page's counts did (a person's hours of the year
    read from every shift of the year, 18 ms): they are never prepared (logistics.counts)."""
    def start_page():
        with app.test_request_context("/"):
            home.for_user(history)

    sent = plans(start_page, table="shift", analyze=True, generic=generic)
    assert len(sent) >= 4, sent
    for statement, plan in sent:
        read = rows_read(plan, ("shift",))
        assert read <= MOST, (statement, read)
