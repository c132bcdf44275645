"""Security headers on every response (ASVS 14.4)."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: A fingerprinted static file (``?v=`` its content hash) never changes: browsers keep it a year.
IMMUTABLE = "public, max-age=31536000, immutable"

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    https = app.config["BASE_URL"].startswith("https://")
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # The client's address and scheme as the trusted proxies saw them (the rate limits
        # and the Secure cookie depend on them); a client cannot forge more hops than this.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    static_folder = Path(app.static_folder)

    @lru_cache(maxsize=256)
    def fingerprint(filename: str) -> str | None:
        """The first 10 hex digits of the file's SHA-256, read once per process (files change
        with a deploy, which starts new processes)."""
        path = (static_folder / filename).resolve()
        if static_folder.resolve() not in path.parents or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()[:10]

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        # url_for('static', filename=...) → /static/css/app.css?v=<hash>: a new file, a new URL.
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = fingerprint(values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def set_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if https:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint == "static":
            filename = (request.view_args or {}).get("filename")
            if response.status_code == 200 and filename and request.args.get("v") == fingerprint(filename):
                response.headers["Cache-Control"] = IMMUTABLE
        else:
            # Pages, JSON and CSV downloads can hold personal data: never keep them in shared
            # caches or the back button (a view that may be cached says so itself).
            h.setdefault("Cache-Control", "no-store")
        return response
