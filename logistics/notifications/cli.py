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


@click.group("feeds", help="Calendar feeds.")
def feeds_group() -> None:
    pass


@feeds_group.command("create", help="Make a calendar feed for a person and print its URL (shown only now).")
@click.option("--email", required=True, help="Whose feed.")
@click.option("--kind", type=click.Choice(["mine", "open", "all"]), default="mine", show_default=True)
@click.option("--label", default="", help="A name the person recognises.")
@with_appcontext
def create_feed(email: str, kind: str, label: str) -> None:
    from logistics.errors import DomainError
    from logistics.notifications import feeds
    from logistics.people.services import find_by_email

    user = find_by_email(db.session, email)
    if user is None or user.erased_at is not None:
        raise click.ClickException("No such user.")
    try:
        _feed, token = feeds.create(db.session, user, kind, label, by=None)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(feeds.url(token))
