"""Who may use each endpoint: one declaration per view, enforced before every request.

Every view is decorated with :func:`public` or :func:`allow`. An endpoint without a
declaration is refused (403) — and ``tests/test_access_matrix.py`` fails for it.
"""
from __future__ import annotations

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from logistics.people.models import Role

PUBLIC = "public"
_ATTR = "_access_rule"


def public(view):
    """Anyone, logged in or not, may use this view."""
    setattr(view, _ATTR, PUBLIC)
    return view


def allow(role: Role | str):
    """Logged-in users of ``role`` and the roles above it may use this view."""
    role = Role(role)

    def decorator(view):
        setattr(view, _ATTR, role)
        return view

    return decorator


def rule_for(app: Flask, endpoint: str):
    view = app.view_functions.get(endpoint)
    return None if view is None else getattr(view, _ATTR, None)


# Flask's own static endpoint serves CSS and JS to everyone.
def _declare_builtins(app: Flask) -> None:
    if "static" in app.view_functions:
        setattr(app.view_functions["static"], _ATTR, PUBLIC)


def init_app(app: Flask, login_endpoint: str = "auth.login") -> None:
    _declare_builtins(app)

    @app.before_request
    def enforce_access():
        endpoint = request.endpoint
        if endpoint is None:  # no route matched: Flask answers 404/405 itself
            return None
        rule = rule_for(app, endpoint)
        if rule is None:
            abort(403)
        if rule == PUBLIC:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for(login_endpoint, next=request.full_path if request.method == "GET" else None))
        if not current_user.has_role(rule):
            abort(403)
        return None
