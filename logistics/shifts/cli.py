"""``flask --app wsgi shifts …`` commands."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from logistics.extensions import db


@click.group("shifts")
def shifts() -> None:
    """Shifts: recurring series."""


@shifts.command("extend")
@click.option("--weeks", type=click.IntRange(1, 104), default=12, show_default=True,
              help="Generate every series' shifts this many weeks ahead.")
@with_appcontext
def extend(weeks: int) -> None:
    """Generate the shifts of every recurring series up to the horizon (no duplicates)."""
    from logistics.clock import utcnow
    from logistics.shifts import planning

    made = planning.extend_all(db.session, until=utcnow() + dt.timedelta(weeks=weeks))
    db.session.commit()
    click.echo(f"Created {made} shifts.")
