"""Demo data for ``make run`` and ``flask --app wsgi demo-data``: each area's demo step, in
the order of :data:`logistics.areas.AREAS` (people first, so later areas find the users).
Every step is idempotent: it looks before it creates."""
from __future__ import annotations


def load(session, language: str = "en") -> list[str]:
    """Create or complete the demo data; return the lines to print. ``language`` ("en" or
    "da") is the demo people's language and that of the demo's free text; the names of
    activities, places and stock are in both languages either way (Danish pages show the
    Danish ones)."""
    from logistics.areas import AREAS

    context: dict = {"lines": [], "language": language}
    for area in AREAS:
        if area.demo is not None:
            area.demo(session, context)
            session.flush()
    return context["lines"]
