"""``flask --app wsgi …`` commands. Each area adds its own group or command here."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from logistics.extensions import db
from logistics.people.models import Role


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="volunteer", show_default=True)
@click.option("--name", "full_name", default=None, help="Full name (default: the part of the address before @).")
@click.password_option(prompt="Password", confirmation_prompt=True)
@with_appcontext
def create_user(email: str, role: str, full_name: str | None, password: str) -> None:
    """Create an approved, active user who can log in at once."""
    from logistics.people import cli_services

    try:
        user = cli_services.create_user(db.session, email=email, role=Role(role), full_name=full_name,
                                        password=password)
    except Exception as exc:  # a domain error: say it plainly, no traceback
        db.session.rollback()
        message = getattr(exc, "message", str(exc))
        click.echo(f"Error: {message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load demo data (idempotent) and print the demo logins."""
    from logistics import demo

    lines = demo.load(db.session)
    db.session.commit()
    for line in lines:
        click.echo(line)


@click.group("shifts")
def shifts_cli() -> None:
    """Shifts: recurring series."""


@shifts_cli.command("extend")
@click.option("--weeks", type=click.IntRange(1, 104), default=12, show_default=True,
              help="Generate every series' shifts this many weeks ahead.")
@with_appcontext
def shifts_extend(weeks: int) -> None:
    """Generate the shifts of every recurring series up to the horizon (no duplicates)."""
    import datetime as dt

    from logistics.clock import utcnow
    from logistics.shifts import planning

    made = planning.extend_all(db.session, until=utcnow() + dt.timedelta(weeks=weeks))
    db.session.commit()
    click.echo(f"Created {made} shifts.")


def register(app: Flask) -> None:
    from logistics.stock.cli import stock

    app.cli.add_command(create_user)
    app.cli.add_command(demo_data)
    app.cli.add_command(shifts_cli)
    app.cli.add_command(stock)
