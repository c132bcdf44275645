"""A schedule revision for the feeds' ETags: a counter in Redis raised after every commit
that changed a shift, sign-up, activity, place or qualification. A re-polling calendar then
costs two Redis reads instead of a pass over its shifts.

The counter is raised *after* the commit, so a reader never sees it raised before the change
is visible (at worst a poll gets the new content under the old ETag, and the next poll a 200
with the same content). An epoch stored beside it changes when Redis lost its data, so a
counter that started again can never repeat an old ETag. Without Redis the feed falls back
to an aggregate over its shifts."""
from __future__ import annotations

import logging
import secrets

from sqlalchemy import event

log = logging.getLogger(__name__)

KEY = "feeds:revision"
EPOCH = "feeds:epoch"
WATCHED = {"shift", "signup", "activity", "place", "user_qualification", "activity_qualification", "user"}
_FLAG = "feeds_changed"


def _touches(objects) -> bool:
    return any(getattr(o, "__tablename__", None) in WATCHED for o in objects)


def _before_flush(session, _context, _instances) -> None:
    if _touches(session.new) or _touches(session.dirty) or _touches(session.deleted):
        session.info[_FLAG] = True


def _orm_execute(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED:
            state.session.info[_FLAG] = True


def _after_commit(session) -> None:
    if not session.info.pop(_FLAG, False):
        return
    try:
        from logistics import queue

        queue.state().connection.incr(KEY)
    except Exception:  # noqa: BLE001 - Redis away: the feeds fall back to the aggregate
        log.warning("could not raise the feed revision")


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.nested or previous_transaction.parent is not None:
        return
    session.info.pop(_FLAG, None)


def bind(scoped_session) -> None:
    event.listen(scoped_session, "before_flush", _before_flush)
    event.listen(scoped_session, "do_orm_execute", _orm_execute)
    event.listen(scoped_session, "after_commit", _after_commit)
    event.listen(scoped_session, "after_soft_rollback", _after_rollback)


def current() -> str | None:
    """"<epoch>.<revision>", or None when Redis cannot be asked."""
    try:
        from logistics import queue

        conn = queue.state().connection
        epoch, value = conn.mget(EPOCH, KEY)
        if epoch is None:
            conn.set(EPOCH, secrets.token_hex(8), nx=True)
            epoch, value = conn.mget(EPOCH, KEY)
        return f"{epoch.decode()}.{int(value or 0)}"
    except Exception:  # noqa: BLE001 - any Redis trouble: the caller uses the aggregate
        return None
