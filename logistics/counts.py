"""Numbers the database counts, asked many at a time.

A page of numbers (the start page) pays more CPU for building its SELECTs than the database
spends running them: SQLAlchemy builds each expression and then walks it for its cache key,
on every request. So a :class:`Count` is a SELECT built once per process, with named bind
parameters where the request's values go (now, today, a person), and those values.
:func:`together` asks several in one SELECT of scalar subqueries (one round trip), that
SELECT too built once for each set of counts.

Counts are never prepared on PostgreSQL (``prepare=False``, :mod:`logistics.db`): their best
plans depend on the values (a window of dates, one person's hours), and a prepared
statement's one plan for any value made the start page's counts take 18 ms instead of 6.

Parameter names are the count's own (``understaffed_from``, ``stock_on``): two counts asked
together must not share one with different values, and :func:`together` refuses if they do.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Count:
    #: A ``SELECT count(...)`` (or another single value), made once (``functools.cache``).
    stmt: sa.Select
    params: dict[str, Any] = field(default_factory=dict)

    def scalar(self, session):
        return session.scalar(self.stmt.execution_options(prepare=False), self.params)


#: (label, id of each count's SELECT) → the SELECT of all of them. The counts' SELECTs live
#: as long as the process, so their ids name them; a handful of combinations exist.
_TOGETHER: dict[tuple, sa.Select] = {}


def _statement(counts: dict[str, Count]) -> tuple[sa.Select, dict[str, Any]]:
    """The one SELECT of all ``counts`` (built once per set) and its parameters."""
    key = tuple((label, id(count.stmt)) for label, count in counts.items())
    stmt = _TOGETHER.get(key)
    if stmt is None:
        stmt = _TOGETHER[key] = sa.select(
            *[count.stmt.scalar_subquery().label(label) for label, count in counts.items()]
        ).execution_options(prepare=False)
    params: dict[str, Any] = {}
    for label, count in counts.items():
        for name, value in count.params.items():
            if name in params and params[name] != value:
                raise ValueError(f"count {label!r}: parameter {name!r} is another count's with another value")
            params[name] = value
    return stmt, params


def together(session, counts: dict[str, Count]) -> dict[str, Any]:
    """Every count's value by its label, from one SELECT."""
    stmt, params = _statement(counts)
    return session.execute(stmt, params).one()._asdict()


def started(session, counts: dict[str, Count]) -> Callable[[], dict[str, Any]]:
    """Start counting ``counts`` (as :func:`together`) beside the caller
    (:mod:`logistics.background`: on PostgreSQL, on a connection of its own while the page
    goes on) and return a function that gives the values, waiting for them if need be."""
    from logistics import background

    sent = background.send(session, _statement(counts))
    return lambda: sent.rows()[0][0]._asdict()
