"""Declarative base, the constraint naming convention, column types and SQLite set-up.

SQLite (the embedded default) needs two things to be correct under concurrency:
WAL mode with a busy timeout, and write transactions that begin ``IMMEDIATE`` so that two
writers queue for the lock instead of one failing with "database is locked" (or both
reading a stale balance). Reads keep ``BEGIN DEFERRED`` so they never wait for a writer:
the web layer calls :func:`deferred_transactions` for safe (GET/HEAD) requests, and
everything else — form posts, jobs, commands, tests — begins ``IMMEDIATE``.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from logistics.clock import as_utc, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def bilingual(base: str, danish: str) -> hybrid_property:
    """A name (or text) an organisation may give in Danish too: read on an object, the Danish
    one on a Danish page when it is set, else the base one (``logistics.i18n.localized``);
    written, and in SQL (filters, ordering, uniqueness), always the base column. Forms that
    edit the base value read ``base`` itself, never this property."""

    def get(self):
        from logistics.i18n import localized

        return localized(getattr(self, base), getattr(self, danish))

    def set_(self, value) -> None:
        setattr(self, base, value)

    def expression(cls):
        return getattr(cls, base)

    return hybrid_property(get, set_, expr=expression)


def shown_in_danish() -> bool:
    """Whether :func:`shown` orders by the Danish names (a key for statements built once per
    page language)."""
    from logistics.i18n import current_language

    try:
        return current_language() == "da"
    except RuntimeError:  # no app context: a script
        return False


def shown(model):
    """SQL for the name a page shows, to order by: on a Danish page the Danish name where it
    is set, else the first one (``bilingual``)."""
    return sa.func.coalesce(model.name_da, model.name_en) if shown_in_danish() else model.name_en


def arrays(session) -> bool:
    """Whether :func:`among` may send a list of ids as one array (PostgreSQL): a key for
    statements built once per process."""
    return session.get_bind().dialect.name == "postgresql"


def among(column, name: str, *, array: bool, negate: bool = False) -> sa.ColumnElement[bool]:
    """``column IN :name`` (``NOT IN`` when ``negate``) for a list of integer ids given at
    execution as parameter ``name``, in a statement built once.

    On PostgreSQL (``array``, :func:`arrays`) the list is one array parameter, ``= ANY`` /
    ``<> ALL``: the statement's text is the same for any number of ids, so psycopg converts it
    once and may prepare it, where an IN list of 150 ids is a new 5 KB statement each time
    (SQLAlchemy expands it, psycopg parses it again, PostgreSQL plans it again). Elsewhere an
    expanding IN. Either way an empty list matches nothing (``negate``: everything)."""
    if array:
        param = sa.bindparam(name, type_=postgresql.ARRAY(sa.Integer))
        return column != sa.all_(param) if negate else column == sa.any_(param)
    param = sa.bindparam(name, expanding=True)
    return column.not_in(param) if negate else column.in_(param)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite has no zone, so values go in as naive UTC and
    come back aware.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)


def str_enum(cls, length: int = 16) -> sa.Enum:
    """A Python ``str`` enum stored by its values in a VARCHAR (with a CHECK), the same on
    SQLite and PostgreSQL, so adding a member needs no ALTER TYPE."""
    return sa.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


class TimestampMixin:
    """``created_at``: when the row was made (UTC), set by the application's clock."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


_deferred = contextvars.ContextVar("logistics_deferred_transactions", default=False)


def deferred_transactions() -> contextvars.Token:
    """Make SQLite transactions in this context begin DEFERRED (read-mostly requests)."""
    return _deferred.set(True)


def reset_transactions(token: contextvars.Token) -> None:
    _deferred.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is broken).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _deferred.get() else "BEGIN IMMEDIATE")


# --- Reads end with COMMIT (PostgreSQL keeps its plans) ---------------------------------------
#
# psycopg prepares a statement on a connection once it has run there five times, and
# PostgreSQL then plans it once instead of on every request (planning was most of the time of
# the short statements: 0.7 of the "not back safe" query's 0.9 ms). But psycopg forgets every
# prepared statement at a ROLLBACK (it cannot know whether the server kept them), and each
# request ended with one. A request that wrote nothing now ends with COMMIT instead, which for
# a transaction without writes is the same to the database.
#
# A statement whose best plan depends on its values is never prepared: a prepared statement
# may be given one plan for any values, and for one person's sign-ups in a window of dates
# PostgreSQL's such plan read every shift in the window (18 ms instead of 0.4). Such a
# statement says ``execution_options(prepare=False)``; code made of them (the reports) runs
# inside :func:`unprepared`. tests/test_prepared_plans.py compares the two plans of the
# statements the busiest pages send.

_WROTE = "logistics_wrote"
#: What a transaction may send and still count as only reading.
_READS = ("SELECT", "BEGIN", "SHOW")
#: A statement with a CTE reads unless one of its parts writes (or locks: FOR UPDATE).
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def only_reads(statement: str) -> bool:
    """Whether a statement sent to the database only reads (else it counts as a write)."""
    head = statement.lstrip()[:6].upper()
    if head.startswith(_READS):
        return True
    return head.startswith("WITH") and not _WRITES.search(statement)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if not only_reads(statement):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn):
    conn.info.pop(_WROTE, None)


@event.listens_for(Engine, "engine_connect")
def _checked_out(conn):
    conn.info.pop(_WROTE, None)


_no_prepare = contextvars.ContextVar("logistics_no_prepare", default=False)


def unprepared() -> contextvars.Token:
    """Let no statement in this context be prepared (:func:`prepared_allowed`); give the token
    to :func:`reset_unprepared` at the end."""
    return _no_prepare.set(True)


def reset_unprepared(token: contextvars.Token) -> None:
    _no_prepare.reset(token)


def prepared_allowed(context) -> bool:
    """Whether the statement being run may be prepared (its plan kept for any values)."""
    return not (_no_prepare.get() or context.execution_options.get("prepare") is False)


@event.listens_for(Engine, "do_execute")
def _unprepared(cursor, statement, parameters, context):
    if context.dialect.driver == "psycopg" and not prepared_allowed(context):
        cursor.execute(statement, parameters, prepare=False)
        return True
    return None


def end_read(session) -> bool:
    """End the session's transaction with COMMIT if it only read (nothing sent but SELECTs,
    nothing pending in the session, no job waiting for a commit); return whether it did.
    Anything else is left to the usual ROLLBACK."""
    from logistics.queue import has_pending

    if not session.in_transaction() or session.new or session.dirty or session.deleted or has_pending(session):
        return False
    if session.connection().info.get(_WROTE):
        return False
    session.commit()
    return True
