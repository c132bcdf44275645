"""A fast path for loading many historical movements (demo data, benchmarks).

Movements are replayed in time order against the current balances in memory, refused if
any balance would go below zero, inserted in batches, and the resulting balances written
once. The ledger and the balance table therefore agree exactly as they do when every
movement goes through the services (``flask stock verify`` checks it).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa

from logistics.stock.ledger import copy_lot_expiry
from logistics.stock.models import Balance, Movement

BATCH = 5000


class NegativeBalance(ValueError):
    pass


def _copy_movements(session, rows: list[dict]) -> None:
    """PostgreSQL's COPY for a batch of movements (the benchmark's hundreds of thousands): every
    column of the table, the batch's missing keys as NULL; enums by their stored values."""
    columns = [c.name for c in Movement.__table__.columns if c.name != "id"]
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {Movement.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([getattr(v, "value", v) for v in (row.get(c) for c in columns)])


def load(session, movements: Iterable[dict], *, batch: int = BATCH, copy: bool = False) -> int:
    """Insert ``movements`` (dicts of Movement columns, in time order); return how many.
    ``copy``: on PostgreSQL send them with COPY (every row must then name its ``at``)."""
    use_copy = copy and session.get_bind().dialect.name == "postgresql"
    current = {(i, lt, loc): q for i, lt, loc, q in session.execute(
        sa.select(Balance.item_id, Balance.lot_id, Balance.location_id, Balance.qty))}
    existing = set(current)
    pending: list[dict] = []
    count = 0
    for row in movements:
        qty = Decimal(row["quantity"])
        if qty <= 0:
            raise ValueError(f"quantity must be positive: {row}")
        src, dst = row.get("from_location_id"), row.get("to_location_id")
        if src is not None:
            key = (row["item_id"], row["lot_id"], src)
            have = current.get(key, Decimal(0))
            if have < qty:
                raise NegativeBalance(f"{key}: {have} < {qty}")
            current[key] = have - qty
        if dst is not None:
            key = (row["item_id"], row["lot_id"], dst)
            current[key] = current.get(key, Decimal(0)) + qty
        pending.append(row)
        count += 1
        if len(pending) >= batch:
            _copy_movements(session, pending) if use_copy else session.execute(sa.insert(Movement), pending)
            pending = []
    if pending:
        _copy_movements(session, pending) if use_copy else session.execute(sa.insert(Movement), pending)
    rows = {k: {"item_id": k[0], "lot_id": k[1], "location_id": k[2], "qty": q} for k, q in current.items()}
    updates = [row for k, row in rows.items() if k in existing]
    inserts = [row for k, row in rows.items() if k not in existing]
    for start in range(0, len(updates), batch):
        session.execute(sa.update(Balance), updates[start:start + batch])
    for start in range(0, len(inserts), batch):
        session.execute(sa.insert(Balance), inserts[start:start + batch])
    if inserts:
        copy_lot_expiry(session)  # the new balances' copy of their lot's expiry date
    session.flush()
    return count
