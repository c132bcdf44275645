"""``flask --app wsgi notify sweep`` and ``flask --app wsgi feeds create``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from logistics.extensions import db


@click.group("notify", help="Notifications: reminders and notices by email.")
def notify() -> None:
    pass


@notify.command("sweep", help="Run one sweep now: events and due reminders into rows, due rows onto the queue.")
@with_appcontext
def sweep() -> None:
    from logistics.notifications import collect

    made = collect.sweep(db.session)
    db.session.commit()
    click.echo(f"{made['events']} notice(s) and {made['reminders']} reminder(s) recorded; "
               f"{made['enqueued']} notification(s) queued.")
