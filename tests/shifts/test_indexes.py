"""The queries for the sign-ups' sparse flags (offered for swap, asked to be let off) read
their partial index on PostgreSQL instead of scanning every sign-up (EXPLAIN of the statement
the query really sends, on enough rows for the planner to choose)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.shifts import queries
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
    s.execute(sa.text("ANALYZE signup"))
    s.execute(sa.text("ANALYZE shift"))
    s.commit()
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
