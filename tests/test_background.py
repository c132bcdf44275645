"""Reads sent beside the page (logistics.background): on PostgreSQL on a connection of their
own while the request thread goes on, elsewhere at once on the request's session; either way
the same rows, and a read's error reaches the page."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from logistics import background
from logistics.extensions import db
from tests import factories


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_reads_give_their_rows_in_order(app_ctx):
    factories.user(full_name="Birte Berg")
    db.session.commit()
    sent = background.send(db.session,
                           (sa.text("SELECT full_name FROM \"user\" WHERE full_name = :name"), {"name": "Birte Berg"}),
                           (sa.select(sa.literal(7).label("seven")), {}))
    first, second = sent.rows()
    assert [r.full_name for r in first] == ["Birte Berg"]
    assert second[0].seven == 7
    assert sent.rows() is sent.rows()  # asked again: the same answer, not a second read


def test_on_postgresql_they_run_on_a_connection_of_their_own_beside_the_page(app_ctx):
    if not _postgresql():
        pytest.skip("SQLite reads at once on the request's session")
    page_pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    # The page holds a lock the read must wait for: the read waits while the page goes on
    # (were it run on the page's thread, send() would not return; the time limit ends it).
    db.session.execute(sa.text("SELECT pg_advisory_lock(4242)"))
    sent = background.send(
        db.session,
        (sa.text("SELECT set_config('statement_timeout', '5000', true)"), {}),
        (sa.text("SELECT pg_backend_pid() AS pid FROM pg_advisory_xact_lock_shared(4242)"), {}))
    waiting = 0
    for _ in range(250):
        waiting = db.session.execute(sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar()
        if waiting:
            break
        time.sleep(0.02)
    assert waiting == 1 and not sent.done()
    db.session.execute(sa.text("SELECT pg_advisory_unlock(4242)"))
    _timeout, rows = sent.rows()
    assert rows[0].pid != page_pid
    # Its connection goes back to the pool (just after the rows), its transaction ended:
    # then only the page's is out.
    for _ in range(250):
        if db.engine.pool.checkedout() == 1:
            break
        time.sleep(0.02)
    assert db.engine.pool.checkedout() == 1


def test_on_sqlite_they_run_at_once_on_the_session_and_see_its_changes(app_ctx):
    if _postgresql():
        pytest.skip("PostgreSQL reads on a connection of its own")
    user = factories.user(full_name="Ulla Uncommitted")
    db.session.flush()
    (rows,) = background.send(db.session, (sa.text("SELECT full_name FROM \"user\" WHERE id = :id"),
                                           {"id": user.id})).rows()
    assert rows[0].full_name == "Ulla Uncommitted"


def test_an_error_in_a_read_reaches_the_page_and_the_page_goes_on(app_ctx):
    sent = background.send(db.session, (sa.text("SELECT no_such_column FROM \"user\""), {}))
    with pytest.raises(DBAPIError):
        sent.rows()
    if not _postgresql():
        db.session.rollback()  # SQLite read on the page's own session
    # The page's own session is untouched by the failed read (PostgreSQL) and works on.
    assert db.session.execute(sa.select(sa.literal(1))).scalar() == 1
