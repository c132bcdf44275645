"""The main navigation: each area adds its entries; each entry names the least role."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

from logistics.people.models import Role


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: object  # a lazy string
    role: Role
    order: int
    #: Endpoint prefix that marks the entry as current ("stock." for every stock page).
    prefix: str | None = None


_ENTRIES: list[Entry] = []


def add(endpoint: str, label, role: Role, order: int, prefix: str | None = None) -> None:
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(Entry(endpoint, label, Role(role), order, prefix))
        _ENTRIES.sort(key=lambda e: e.order)


def items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    return [
        {"url": url_for(e.endpoint), "label": e.label,
         "active": here == e.endpoint or (e.prefix is not None and here.startswith(e.prefix))}
        for e in _ENTRIES if current_user.has_role(e.role)
    ]
