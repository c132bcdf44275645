"""The device cookie: proof that this browser has logged in as an account before.

It holds a random nonce and the ids of (at most five) accounts that logged in here, signed
with the secret key; nothing personal. The login throttle counts a known device's failures
apart from strangers' (see logistics.people.throttle).
"""
from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "hn_device"
MAX_ACCOUNTS = 5
MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="device-cookie")


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("u"), list):
        return None
    return data


def nonce_for(user_id: int | None) -> str | None:
    """The device nonce when this browser has logged in as ``user_id`` before, else None."""
    data = _read()
    if data is None or user_id is None or user_id not in data["u"]:
        return None
    return data["n"]


def remember(response, user_id: int) -> None:
    """Mark this browser as one that ``user_id`` logs in with (after a complete login)."""
    data = _read() or {"n": secrets.token_urlsafe(16), "u": []}
    accounts = [u for u in data["u"] if u != user_id][-(MAX_ACCOUNTS - 1):] + [user_id]
    response.set_cookie(COOKIE, _serializer().dumps({"n": data["n"], "u": accounts}), max_age=MAX_AGE,
                        httponly=True, samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
