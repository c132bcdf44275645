"""One-time form tokens for every form, not only stock's: stock_form_token becomes
form_token, and its movement_ids column the general result column (stock keeps its
movement ids there). A new table and a copy, the same on SQLite and PostgreSQL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:00:00

"""
import sqlalchemy as sa
from alembic import op

import logistics.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _create(name: str, result_column: str) -> None:
    op.create_table(
        name,
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("used_at", logistics.db.UTCDateTime(), nullable=False),
        sa.Column(result_column, sa.JSON(), nullable=False),
        sa.Column("next_url", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["used_by_id"], ["user.id"], name=op.f(f"fk_{name}_used_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("token", name=op.f(f"pk_{name}")),
    )
    op.create_index(op.f(f"ix_{name}_used_at"), name, ["used_at"])


def _move(old: str, new: str, old_result: str, new_result: str) -> None:
    _create(new, new_result)
    op.execute(f"INSERT INTO {new} (token, used_by_id, used_at, {new_result}, next_url) "
               f"SELECT token, used_by_id, used_at, {old_result}, next_url FROM {old}")
    op.drop_index(op.f(f"ix_{old}_used_at"), table_name=old)
    op.drop_table(old)


def upgrade():
    _move("stock_form_token", "form_token", "movement_ids", "result")


def downgrade():
    _move("form_token", "stock_form_token", "result", "movement_ids")
