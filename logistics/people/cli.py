"""``flask --app wsgi create-user``."""
from __future__ import annotations

import sys

import click
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
    from logistics.errors import DomainError
    from logistics.people import cli_services

    try:
        user = cli_services.create_user(db.session, email=email, role=Role(role), full_name=full_name,
                                        password=password)
    except DomainError as exc:  # say it plainly, no traceback
        db.session.rollback()
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
