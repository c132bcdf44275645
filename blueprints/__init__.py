"""The web layer. ``register_blueprints`` lists every blueprint explicitly."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from blueprints import access, fields, once, security, web
    from blueprints.account.views import bp as account_bp
    from blueprints.admin.views import bp as admin_bp
    from blueprints.auth import init_login
    from blueprints.auth.views import bp as auth_bp
    from blueprints.cooking import bp as cooking_bp
    from blueprints.distributions import bp as distributions_bp
    from blueprints.main.views import bp as main_bp
    from blueprints.notifications import bp as notifications_bp
    from blueprints.outreach import bp as outreach_bp
    from blueprints.people.views import bp as people_bp
    from blueprints.reports import bp as reports_bp
    from blueprints.shifts import bp as shifts_bp
    from blueprints.stock import bp as stock_bp

    fields.init_app(app)  # the bounded <int:…> converter, before any route is added
    for bp in (main_bp, auth_bp, account_bp, people_bp, admin_bp, shifts_bp, stock_bp, distributions_bp, cooking_bp,
               outreach_bp, reports_bp, notifications_bp):
        app.register_blueprint(bp)
    init_login(app)
    once.init_app(app)  # after login: a claimed token names who sent the form
    web.init_app(app)
    security.init_app(app)
    access.init_app(app)
