"""logistics.db.among: a list of ids as one array parameter on PostgreSQL (the statement's
text the same for any number of ids), an expanding IN on SQLite; the same rows either way."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.db import among, arrays
from logistics.extensions import db
from logistics.people.models import User
from tests import factories


@pytest.mark.parametrize("negate", [False, True])
@pytest.mark.parametrize("pick", [[], [0], [0, 2], [0, 1, 2, 3]])
def test_among_matches_the_listed_ids_or_the_others(app_ctx, pick, negate):
    people = [factories.user() for _ in range(4)]
    db.session.commit()
    ids = [people[i].id for i in pick]
    stmt = sa.select(User.id).where(among(User.id, "ids", array=arrays(db.session), negate=negate),
                                    User.id.in_([p.id for p in people]))
    found = set(db.session.scalars(stmt, {"ids": ids}))
    everyone = {p.id for p in people}
    assert found == (everyone - set(ids) if negate else set(ids))


def test_on_postgresql_the_statement_is_the_same_for_any_number_of_ids(app_ctx):
    if not arrays(db.session):
        pytest.skip("one array parameter is PostgreSQL's; SQLite expands the list")
    sent: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    stmt = sa.select(User.id).where(among(User.id, "ids", array=True))
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for ids in ([1], list(range(1, 200))):
            db.session.scalars(stmt, {"ids": ids}).all()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(sent) == 2 and sent[0] == sent[1] and "ANY" in sent[0] and len(sent[0]) < 200
