"""``flask --app wsgi demo-data``, and the registration of every area's commands."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from logistics.extensions import db


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load demo data (idempotent) and print the demo logins."""
    from logistics import demo

    lines = demo.load(db.session)
    db.session.commit()
    for line in lines:
        click.echo(line)


def register(app: Flask) -> None:
    """Add every area's commands (listed in :mod:`logistics.areas`) to ``flask``."""
    from logistics.areas import AREAS

    for area in AREAS:
        for command in area.commands:
            app.cli.add_command(command)
