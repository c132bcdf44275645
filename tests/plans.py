"""PostgreSQL query plans of the statements a piece of code really sends (for the tests that
hold queries to their indexes and to the days they read)."""
from __future__ import annotations

import json
import re

import sqlalchemy as sa

from logistics.db import prepared_allowed
from logistics.extensions import db


def plans(call, *, table: str, analyze: bool = False, generic: bool = False) -> list[tuple[str, object]]:
    """Run ``call``; return (statement, EXPLAIN in JSON) of every SELECT it sent that names
    ``table``; with ``analyze``, the plans carry the rows each step really read.

    ``generic``: the plan PostgreSQL makes once for any values, which a statement psycopg has
    prepared (run five times on a connection, logistics.db) keeps using; statements never
    prepared (``prepare=False``, :func:`logistics.db.unprepared`) are left out."""
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if f" {table}" in statement and statement.lstrip().upper().startswith("SELECT"):
            if not generic or prepared_allowed(context):
                sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    if generic:
        return [(statement, _generic_plan(statement, parameters, analyze)) for statement, parameters in sent]
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    out = []
    with db.engine.connect() as conn:
        for statement, parameters in sent:
            raw = conn.exec_driver_sql(explain + statement, parameters).scalar()
            out.append((statement, raw if not isinstance(raw, str) else json.loads(raw)))
    return out


def _generic_plan(statement: str, parameters: dict, analyze: bool):
    """EXPLAIN of ``statement`` prepared and planned once for any values (plan_cache_mode
    force_generic_plan), executed with ``parameters``."""
    from psycopg import sql

    names: list[str] = []

    def placeholder(match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    prepared = re.sub(r"%\((\w+)\)s", placeholder, statement)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("PREPARE generic_plan_test AS " + prepared)
        try:
            values = ", ".join(sql.Literal(parameters[name]).as_string(cursor) for name in names)
            options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
            cursor.execute(f"EXPLAIN ({options}) EXECUTE generic_plan_test" + (f"({values})" if names else ""))
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE generic_plan_test")
        raw.rollback()
    finally:
        raw.close()
    return plan if not isinstance(plan, str) else json.loads(plan)


def rows_read(node, tables: tuple[str, ...]) -> int:
    """Rows a plan (EXPLAIN ANALYZE, JSON) read from ``tables``: returned plus filtered out,
    every loop."""
    if isinstance(node, list):
        return sum(rows_read(n, tables) for n in node)
    if not isinstance(node, dict):
        return 0
    read = 0
    if node.get("Relation Name") in tables:
        read += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                 + node.get("Rows Removed by Index Recheck", 0)) * node.get("Actual Loops", 1)
    return read + sum(rows_read(v, tables) for v in node.values() if isinstance(v, (list, dict)))


def analyze(*tables: str) -> None:
    """Commit, and let PostgreSQL gather the statistics of ``tables`` (as autovacuum would
    after a bulk load), so that the plans are those the data calls for."""
    db.session.commit()
    for table in tables:
        db.session.execute(sa.text(f"ANALYZE {table}"))
    db.session.commit()
