"""Cooking events: the cook shift made and linked, ingredients drawn with the event as the
reference, diners as a count, "use soon" food lots, cancelling with the shift, bad input."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.clock import frozen, localize, utcnow
from logistics.cooking import events, queries
from logistics.cooking.models import CookingStatus
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.shifts.models import ShiftStatus
from tests.cooking.conftest import make_event
from tests.shifts import helpers as h
from tests.stock.conftest import receive


def test_an_event_has_its_cook_shift(ns):
    event = make_event(ns)
    db.session.commit()
    assert event.shift.activity.name == "Communal cooking" and event.shift.starts_at == event.starts_at
    assert (event.shift.capacity_min, event.shift.capacity_max) == (2, 4)
    assert "cooking.created" in h.actions(db.session)


@pytest.mark.parametrize("kw, message", [
    ({"title": " "}, "title"), ({"expected_diners": -1}, "0 to"), ({"expected_diners": "many"}, "0 to"),
    ({"starts_at": localize(dt.datetime(2026, 11, 1, 17))}, "has not passed"),
])
def test_bad_events_are_refused(ns, kw, message):
    start = kw.pop("starts_at", localize(dt.datetime(2026, 12, 3, 17)))
    args = dict(title="Soup", menu="", place=None, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                expected_diners=10, location=ns.kitchen, by=ns.coordinator)
    args.update(kw)
    with pytest.raises(DomainError, match=message):
        events.create_event(db.session, **args)


def test_draw_ingredients_references_the_event_and_refuses_what_is_not_there(ns):
    receive(ns, ns.rice, 10, location=ns.kitchen)
    event = make_event(ns)
    moves = events.draw_ingredients(db.session, event, [(ns.rice.id, "4"), ("", "")], by=ns.staff)
    assert [(m.reference_type, m.reference_id, m.quantity) for m in moves] == [("cooking", event.id, Decimal(4))]
    with pytest.raises(DomainError, match="Only 6"):
        events.draw_ingredients(db.session, event, [(ns.rice.id, "7")], by=ns.staff)
    with pytest.raises(DomainError, match="twice"):
        events.draw_ingredients(db.session, event, [(ns.rice.id, "1"), (ns.rice.id, "1")], by=ns.staff)
    with pytest.raises(DomainError, match="at least one"):
        events.draw_ingredients(db.session, event, [], by=ns.staff)
    assert [m.quantity for m in queries.drawn(db.session, event.id)] == [Decimal(4)]


def test_diners_are_a_count_recorded_after_the_start(ns):
    event = make_event(ns)
    with pytest.raises(DomainError, match="once the event has started"):
        events.record_diners(db.session, event, 10, by=ns.staff)
    with frozen(event.starts_at + dt.timedelta(hours=1)):
        with pytest.raises(DomainError):
            events.record_diners(db.session, event, -3, by=ns.staff)
        events.record_diners(db.session, event, 14, by=ns.staff)
    assert event.status == CookingStatus.COMPLETED and event.actual_diners == 14


def test_use_soon_lists_food_expiring_within_14_days(ns):
    receive(ns, ns.rice, 5, code="SOON", days=3, location=ns.kitchen)  # rice is food without expiry tracking
    receive(ns, ns.rice, 5, code="LATER", days=20)
    receive(ns, ns.pills, 5, code="PILLS", days=5)  # medicine: not for cooking
    rows = queries.use_soon(db.session)
    assert [(r.item.name, r.lot.code) for r in rows] == [("Rice", "SOON")]


def test_cancel_cancels_the_cook_shift(ns):
    event = make_event(ns)
    events.cancel(db.session, event, by=ns.coordinator)
    assert event.status == CookingStatus.CANCELLED and event.shift.status == ShiftStatus.CANCELLED
    with pytest.raises(Conflict):
        events.draw_ingredients(db.session, event, [(ns.rice.id, "1")], by=ns.staff)
    assert utcnow()


def test_the_forecast_counts_coming_events_by_what_events_drew(ns):
    from logistics.distributions import forecast
    receive(ns, ns.rice, 30, location=ns.kitchen)
    with frozen(localize(dt.datetime(2026, 10, 1, 12))):
        past = make_event(ns, day=dt.date(2026, 10, 2))
    events.draw_ingredients(db.session, past, [(ns.rice.id, "6")], by=ns.staff)  # drawn on 25 Nov
    with frozen(localize(dt.datetime(2026, 10, 1, 12))):
        other = make_event(ns, day=dt.date(2026, 10, 9), title="Soup")
    with frozen(localize(dt.datetime(2026, 11, 1, 12))):
        events.draw_ingredients(db.session, other, [(ns.rice.id, "10")], by=ns.staff)
    make_event(ns, day=dt.date(2026, 12, 3))
    db.session.commit()
    # Only the 1 Nov draw is before today: 10 kg over one event; today's draw counts from tomorrow.
    assert queries.expected_needs(db.session, dt.date(2026, 11, 25), dt.date(2027, 1, 20)) == [
        (dt.date(2026, 12, 3), ns.rice.id, Decimal(10))]
    rice = next(f for f in forecast.forecast(db.session) if f.item.id == ns.rice.id)
    assert rice.planned == 10 and rice.on_hand == 14 and rice.runs_out_on is None


def test_a_title_that_looks_like_a_date_is_told_in_the_audit_trail(app, ns):
    from blueprints.admin import audit_words
    from logistics.audit import queries as audit_queries
    from logistics.audit.models import AuditEntry
    make_event(ns, title="2026-13-01")
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "cooking.created")).one()
    with app.test_request_context():
        told = audit_words.tell(entry, audit_queries.subjects(db.session, [entry]))
    assert "2026-13-01" in told.sentence
