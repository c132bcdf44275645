"""The main navigation, from the entries each area lists in logistics.areas."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from logistics.areas import nav_entries


def items() -> list[dict]:
    """The entries the current user may see, with the current page marked."""
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    return [
        {"url": url_for(e.endpoint), "label": e.label,
         "active": here == e.endpoint or (e.prefix is not None and here.startswith(e.prefix))}
        for e in nav_entries() if current_user.has_role(e.role)
    ]
