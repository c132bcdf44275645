"""``flask --app wsgi demo-data``, and the registration of every area's commands."""
from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import with_appcontext

from logistics.extensions import db


def default_demo_language() -> str:
    """The demo's language from the environment: DEMO_LANGUAGE ("en" or "da"), else Danish
    when LANG (or LC_ALL) is Danish, else English."""
    chosen = os.environ.get("DEMO_LANGUAGE", "").strip().lower()[:2]
    if chosen in ("en", "da"):
        return chosen
    system = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "da" if system.lower().startswith("da") else "en"


@click.command("demo-data")
@click.option("--language", type=click.Choice(["en", "da"]), default=default_demo_language,
              help="The demo people's language and the demo's free text (default: DEMO_LANGUAGE or LANG).")
@with_appcontext
def demo_data(language: str) -> None:
    """Load demo data (idempotent) and print the demo logins."""
    from logistics import demo

    lines = demo.load(db.session, language=language)
    db.session.commit()
    for line in lines:
        click.echo(line)


def register(app: Flask) -> None:
    """Add every area's commands (listed in :mod:`logistics.areas`) to ``flask``."""
    from logistics.areas import AREAS

    for area in AREAS:
        for command in area.commands:
            app.cli.add_command(command)
