"""The queries for the sign-ups' sparse flags (offered for swap, asked to be let off) read
their partial index on PostgreSQL instead of scanning every sign-up, and one person's
sign-ups are read from their covering index alone (EXPLAIN of the statement the query really
sends, on enough rows for the planner to choose)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.shifts import mine, month, queries
from tests import factories
from tests.plans import plans
from tests.shifts import helpers as h

SIGNUPS_PER_SHIFT = 10
SHIFTS = 3000


@pytest.fixture
def many_signups(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the query plans are PostgreSQL's")
    act = h.activity("packing", capacity=(1, SIGNUPS_PER_SHIFT))
    users = [factories.user() for _ in range(SIGNUPS_PER_SHIFT)]
    viewer = factories.user()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    s = db.session
    # Two years of shifts (one back, one ahead), every one full; a few sign-ups carry each flag.
    s.execute(sa.text(
        "INSERT INTO shift (activity_id, starts_at, ends_at, capacity_min, capacity_max, over_capacity,"
        " confirmed_count, waitlist_count, status, version, note, is_detached, created_at, updated_at)"
        " SELECT :act, :start + n * interval '6 hours', :start + n * interval '6 hours' + interval '3 hours',"
        " 1, :cap, 0, :cap, 0, 'scheduled', 1, '', false, :now, :now FROM generate_series(0, :n - 1) AS n"),
        dict(act=act.id, start=now.replace(year=now.year - 1),
             cap=SIGNUPS_PER_SHIFT, now=now, n=SHIFTS))
    s.execute(sa.text(
        "INSERT INTO signup (shift_id, user_id, status, confirmed_at, created_at, updated_at,"
        " swap_offered_at, cancel_requested_at)"
        " SELECT shift.id, u, 'confirmed', :now, :now, :now,"
        " CASE WHEN (shift.id * 7 + u) % 997 = 0 THEN :now END,"
        " CASE WHEN (shift.id * 11 + u) % 991 = 0 THEN :now END"
        " FROM shift CROSS JOIN unnest(CAST(:users AS integer[])) AS u WHERE shift.activity_id = :act"),
        dict(now=now, users=[u.id for u in users], act=act.id))
    s.commit()
    # VACUUM as autovacuum would after a bulk load: the visibility map lets PostgreSQL read
    # an index alone (it cannot run inside a transaction).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE signup")
        conn.exec_driver_sql("VACUUM ANALYZE shift")
    viewer.busy = users[0]  # on every shift: 3,000 sign-ups over two years
    return viewer


def _plans(app, call) -> list[str]:
    """The EXPLAIN (JSON, as text) of every statement on the signup table ``call`` sends."""
    return [json.dumps(plan) for _statement, plan in plans(call, table="signup")]


def _seq_scans(node, table: str) -> bool:
    """Whether the plan (a JSON tree) reads ``table`` by a sequential scan anywhere."""
    if isinstance(node, list):
        return any(_seq_scans(n, table) for n in node)
    if isinstance(node, dict):
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") == table:
            return True
        return any(_seq_scans(v, table) for v in node.values() if isinstance(v, (list, dict)))
    return False


@pytest.mark.parametrize("name,index", [("cancellation_requests", "ix_signup_cancel_requested"),
                                        ("cancellation_requests_count", "ix_signup_cancel_requested"),
                                        ("swap_offers", "ix_signup_swap_offered")])
def test_coordinator_lists_use_the_partial_index(app, many_signups, name, index):
    plans = _plans(app, lambda: getattr(queries, name)(db.session))
    assert plans and any(index in p for p in plans), plans
    assert not any(_seq_scans(json.loads(p), "signup") for p in plans), plans


def test_open_shifts_swap_offers_use_the_partial_index(app, many_signups):
    plans = _plans(app, lambda: queries.open_shifts(db.session, many_signups))
    assert any("ix_signup_swap_offered" in p for p in plans), plans
    assert not any(_seq_scans(json.loads(p), "signup") for p in plans), plans


def _signup_scans(node) -> list[tuple[str, str | None]]:
    """(node type, index) of every step of the plan that reads the signup table."""
    if isinstance(node, list):
        return [scan for n in node for scan in _signup_scans(n)]
    if not isinstance(node, dict):
        return []
    here = [(node["Node Type"], node.get("Index Name"))] if node.get("Relation Name") == "signup" else []
    return here + [scan for v in node.values() if isinstance(v, (list, dict)) for scan in _signup_scans(v)]


def test_one_persons_signups_are_read_from_the_index_alone(app, many_signups):
    """The start page's and My shifts' sign-ups, the month's marks and the calendars' "my
    status": an index-only scan of ix_signup_user_cover, no sign-up row read (a busy
    volunteer's rows lie on as many table pages as they have sign-ups)."""
    person = many_signups.busy
    now = utcnow()

    def reads():
        mine.signup_rows(db.session, person, since=now - dt.timedelta(days=7))
        month.month(db.session, now.date(), person)
        queries.my_status(db.session, person, list(range(1, 200)))

    plans = _plans(app, reads)
    assert len(plans) >= 3, plans
    for plan in plans:
        assert _signup_scans(json.loads(plan)) == [("Index Only Scan", "ix_signup_user_cover")], plan
