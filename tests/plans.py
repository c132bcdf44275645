"""PostgreSQL query plans of the statements a piece of code really sends (for the tests that
hold queries to their indexes and to the days they read)."""
from __future__ import annotations

import json

import sqlalchemy as sa

from logistics.extensions import db


def plans(call, *, table: str, analyze: bool = False) -> list[tuple[str, object]]:
    """Run ``call``; return (statement, EXPLAIN in JSON) of every SELECT it sent that names
    ``table``; with ``analyze``, the plans carry the rows each step really read."""
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if f" {table}" in statement and statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    out = []
    with db.engine.connect() as conn:
        for statement, parameters in sent:
            raw = conn.exec_driver_sql(explain + statement, parameters).scalar()
            out.append((statement, raw if not isinstance(raw, str) else json.loads(raw)))
    return out
