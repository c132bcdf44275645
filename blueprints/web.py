"""Request-wide glue: read-only transactions, the locale, template helpers."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import FileSystemBytecodeCache

from blueprints import nav
from logistics import clock, i18n, settings
from logistics.db import deferred_transactions, end_read, reset_transactions
from logistics.extensions import db
from logistics.people.models import Role

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def select_locale() -> str:
    """The Babel locale of the page: British English or Danish (see logistics.i18n.FORMATS)."""
    return i18n.babel_locale(_language())


def _language() -> str:
    """The user's profile language; before login, the switch, then the browser."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if getattr(g, "locale_override", None) in languages:
        return g.locale_override
    try:
        user = current_user
        if user and user.is_authenticated and user.locale in languages:
            return user.locale
    except Exception:  # noqa: BLE001 - no request or no user loaded yet
        pass
    if request:
        chosen = session.get("lang")
        if chosen in languages:
            return chosen
        return request.accept_languages.best_match(languages) or "en"
    return "en"


def init_app(app: Flask) -> None:
    # Compiled templates kept in the instance folder: a new worker (gunicorn restarts them
    # every few thousand requests) loads them instead of compiling every template again.
    cache = Path(app.instance_path) / "jinja-cache"
    cache.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(cache))

    @app.before_request
    def read_only_transactions():
        # GET pages read; SQLite then begins DEFERRED so they never wait behind a writer.
        if request.method in SAFE_METHODS:
            g._tx_token = deferred_transactions()

    @app.teardown_request
    def reset_transaction_mode(exc=None):
        if exc is None:
            try:
                end_read(db.session())  # COMMIT, not ROLLBACK, when it only read (logistics.db)
            except Exception:  # noqa: BLE001 - the session is rolled back as always after this
                log.exception("could not end a read transaction")
        token = g.pop("_tx_token", None)
        if token is not None:
            reset_transactions(token)
        settings.forget_request_cache()  # read once per request (settings.get), never kept longer

    @app.context_processor
    def template_globals():
        def two_factor_relaxed() -> bool:
            """Whether to warn that two-factor login is off: only signed-in coordinators and
            admins, whom it concerns (told to visitors, it says the door is weaker)."""
            if not (current_user.is_authenticated and current_user.has_role(Role.COORDINATOR)):
                return False
            return not settings.get(db.session, "require_2fa_privileged")

        return {
            "org_name": app.config["ORG_NAME"],
            "current_locale": lambda: get_locale().language,
            "two_factor_relaxed": two_factor_relaxed,
            "nav_items": nav.items,
        }

    # The one set of date and time formats (logistics.i18n.FORMATS); none takes a style.
    app.jinja_env.filters["date"] = i18n.format_date
    app.jinja_env.filters["day"] = i18n.format_day
    app.jinja_env.filters["day_long"] = i18n.format_day_long
    app.jinja_env.filters["month"] = i18n.format_month
    app.jinja_env.filters["time"] = i18n.format_time
    app.jinja_env.filters["datetime"] = i18n.format_datetime
    app.jinja_env.filters["hours"] = i18n.format_hours
    app.jinja_env.filters["local"] = lambda v: clock.to_local(v) if v else v
    app.add_template_global(i18n.format_span, "span")
    app.add_template_global(i18n.format_day_span, "day_span")
    app.add_template_global(i18n.weekday_names, "weekday_names")
