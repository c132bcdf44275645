"""The main navigation, from the entries each area lists in logistics.areas."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from logistics.areas import nav_entries


def items() -> list[dict]:
    """The entries the current user may see, with the current page marked; entries of one
    group become one item with ``children`` (a menu), placed where its first entry is."""
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    out: list[dict] = []
    groups: dict[str, dict] = {}
    for e in nav_entries():
        if not current_user.has_role(e.role):
            continue
        link = {"url": url_for(e.endpoint), "label": e.label,
                "active": here == e.endpoint or (e.prefix is not None and here.startswith(e.prefix))}
        if e.group is None:
            out.append(link)
            continue
        key = str(e.group)
        if key not in groups:
            groups[key] = {"label": e.group, "children": [], "active": False}
            out.append(groups[key])
        groups[key]["children"].append(link)
        groups[key]["active"] = groups[key]["active"] or link["active"]
    return out
