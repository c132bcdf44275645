"""Demo data for ``make run`` and ``flask --app wsgi demo-data``: each area's demo step, in
the order of :data:`logistics.areas.AREAS` (people first, so later areas find the users).
Every step is idempotent: it looks before it creates."""
from __future__ import annotations


def load(session) -> list[str]:
    """Create or complete the demo data; return the lines to print."""
    from logistics.areas import AREAS

    context: dict = {"lines": []}
    for area in AREAS:
        if area.demo is not None:
            area.demo(session, context)
            session.flush()
    return context["lines"]
