"""A request that only read ends its transaction with COMMIT, so that psycopg keeps the
statements it prepared (it forgets them all at a ROLLBACK); anything that wrote, or would
write, still ends with ROLLBACK unless the code committed it (logistics.db.end_read)."""
from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from logistics import queue
from logistics.db import end_read, only_reads
from logistics.extensions import db
from logistics.people.models import User
from tests import factories


@contextlib.contextmanager
def endings():
    """The ways transactions ended inside the block: "commit" or "rollback", in order."""
    seen: list[str] = []

    def committed(conn):
        seen.append("commit")

    def rolled_back(conn):
        seen.append("rollback")

    sa.event.listen(db.engine, "commit", committed)
    sa.event.listen(db.engine, "rollback", rolled_back)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "commit", committed)
        sa.event.remove(db.engine, "rollback", rolled_back)


def _users() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(User))


def _new_user(email: str) -> User:
    return User(email=email, full_name="Not Kept", display_name="Not Kept")


def test_a_transaction_that_only_read_ends_with_commit(app_ctx):
    db.session.scalar(sa.select(sa.func.count()).select_from(User))
    with endings() as seen:
        assert end_read(db.session()) is True
    assert seen == ["commit"]
    assert not db.session().in_transaction()


@pytest.mark.parametrize("statement,reads", [
    ("SELECT 1", True),
    ("  select count(*) from signup", True),
    ("WITH t AS (SELECT id FROM shift) SELECT count(*) FROM t", True),
    ("WITH t AS (SELECT updated_at FROM shift) SELECT max(updated_at) FROM t", True),
    ("WITH t AS (UPDATE shift SET note = '' RETURNING id) SELECT count(*) FROM t", False),
    ("WITH t AS (DELETE FROM signup RETURNING id) SELECT count(*) FROM t", False),
    ("WITH t AS (SELECT id FROM shift FOR UPDATE) SELECT count(*) FROM t", False),
    ("INSERT INTO setting (key, value) VALUES ('a', '1')", False),
    ("UPDATE shift SET note = ''", False),
    ("DELETE FROM shift", False),
    ("SAVEPOINT sa_savepoint_1", False),
])
def test_what_counts_as_only_reading(statement, reads):
    assert only_reads(statement) is reads


def test_a_cte_that_reads_still_ends_with_commit(app_ctx):
    counted = sa.select(User.id).cte("people")
    db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    assert end_read(db.session()) is True


def test_no_transaction_nothing_to_end(app_ctx):
    with endings() as seen:
        assert end_read(db.session()) is False
    assert seen == []


def test_a_statement_that_wrote_keeps_the_rollback(app_ctx):
    before = _users()
    db.session.scalar(sa.select(sa.func.count()).select_from(User))
    db.session.execute(sa.insert(User).values(email="half@example.org", full_name="Half Written", display_name="Half"))
    assert end_read(db.session()) is False
    db.session.rollback()
    assert _users() == before


def test_a_flushed_object_keeps_the_rollback(app_ctx):
    before = _users()
    db.session.add(_new_user("flushed@example.org"))
    db.session.flush()
    assert not db.session.new  # sent, no longer pending: only the statement says it wrote
    assert end_read(db.session()) is False
    db.session.rollback()
    assert _users() == before


def test_an_object_not_yet_sent_keeps_the_rollback(app_ctx):
    before = _users()
    with db.session.no_autoflush:
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        db.session.add(_new_user("pending@example.org"))
        assert end_read(db.session()) is False  # a COMMIT would have flushed it
    db.session.rollback()
    assert _users() == before


def test_a_changed_object_keeps_the_rollback(app_ctx):
    user = factories.user("volunteer", full_name="Before")
    db.session.commit()
    user.full_name = "Changed in memory only"
    with db.session.no_autoflush:
        assert end_read(db.session()) is False
    db.session.rollback()
    assert db.session.get(User, user.id).full_name == "Before"


def test_a_job_waiting_for_a_commit_keeps_the_rollback(app, app_ctx, queued):
    db.session.scalar(sa.select(sa.func.count()).select_from(User))
    queue.enqueue(db.session, "logistics.sweeps.run")
    assert end_read(db.session()) is False
    db.session.rollback()
    assert queued() == []


def test_the_next_transaction_starts_clean(app_ctx):
    db.session.execute(sa.update(User).where(User.id == -1).values(full_name="nobody"))
    db.session.rollback()
    db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert end_read(db.session()) is True  # the earlier write's mark went with its transaction


def test_pages_that_only_read_end_with_commit(app, client, login):
    login("admin")  # every role's part of the start page, the stock numbers' CTE included
    with app.app_context(), endings() as seen:
        assert client.get("/").status_code == 200
        assert client.get("/shifts/coverage").status_code == 200
    assert "rollback" not in seen and seen.count("commit") >= 2, seen


# --- PostgreSQL: what this is for -------------------------------------------------------------

def _prepared(conn) -> list[str]:
    return list(conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars())


@pytest.fixture
def pg(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's and PostgreSQL's")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("DEALLOCATE ALL")
        conn.commit()
        yield conn


def test_psycopg_keeps_prepared_statements_across_commits_not_rollbacks(pg):
    stmt = sa.select(User.id).where(User.email == sa.bindparam("e"))
    for _ in range(6):
        pg.execute(stmt, {"e": "nobody@example.org"})
        pg.commit()
    assert any("FROM \"user\"" in s for s in _prepared(pg)), _prepared(pg)
    pg.execute(stmt, {"e": "nobody@example.org"})
    pg.rollback()
    assert _prepared(pg) == []  # why a request that only read must not end with ROLLBACK


def test_a_statement_marked_prepare_false_is_never_prepared(pg):
    stmt = sa.select(User.id).where(User.full_name == sa.bindparam("n")).execution_options(prepare=False)
    for _ in range(8):
        pg.execute(stmt, {"n": "Nobody"})
        pg.commit()
    assert not any("full_name" in s for s in _prepared(pg)), _prepared(pg)
