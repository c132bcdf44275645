"""Cooking fixtures: the stock set-up, a communal cooking activity and a kitchen place."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from logistics.clock import localize
from logistics.cooking import events
from logistics.extensions import db
from tests.shifts import helpers as h
from tests.stock.conftest import build_stock


def build() -> SimpleNamespace:
    ns = build_stock()
    ns.activity = h.activity("communal_cooking", capacity=(2, 4), name="Communal cooking")
    ns.place = h.place("Office kitchen")
    db.session.commit()
    return ns


@pytest.fixture
def ns(app_ctx):
    return build()


@pytest.fixture
def web(app):
    with app.app_context():
        return build()


def make_event(ns, day=dt.date(2026, 12, 3), expected=12, title="Jollof night"):
    start = localize(dt.datetime.combine(day, dt.time(17, 0)))
    return events.create_event(db.session, title=title, menu="Jollof rice, plantain", place=ns.place,
                               starts_at=start, ends_at=start + dt.timedelta(hours=3), expected_diners=expected,
                               location=ns.kitchen, by=ns.coordinator)
