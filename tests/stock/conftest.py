"""Stock fixtures and helpers: a small storeroom set-up built through the services, the same
linked to an outreach shift, and what service and view tests of every sub-area share."""
from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.clock import today
from logistics.extensions import db
from logistics.shifts import signups
from logistics.stock import catalogue, kits, ledger
from logistics.stock.models import Location, Movement
from logistics.stock.queries.ledger import on_hand_by_item
from tests import factories
from tests.shifts import helpers as h

# --- building stock ---------------------------------------------------------------------

def make_item(name="Paracetamol 500 mg", category="medicine", unit="piece", expiry=True, by=None, **kw):
    return catalogue.create_item(db.session, name=name, category=category, unit=unit, is_expiry_tracked=expiry,
                                 notes=kw.pop("notes", None), product_group_id=kw.pop("product_group_id", None),
                                 size=kw.pop("size", None), fit=kw.pop("fit", None), by=by, **kw)


def make_location(name, mobile=False):
    loc = Location(name=name, is_mobile=mobile)
    db.session.add(loc)
    db.session.flush()
    return loc


def receive(ns, item, qty, location=None, code=None, days=None, **kw):
    expires = today() + dt.timedelta(days=days) if days is not None else None
    return ledger.receive(db.session, item=item, quantity=qty, location=location or ns.storeroom,
                          lot_code=code, expires_on=expires, by=ns.staff, **kw)


def build_stock() -> SimpleNamespace:
    """Locations, a staff member, a coordinator and three items (one expiring, two not)."""
    staff = factories.user("staff")
    coordinator = factories.user("coordinator")
    ns = SimpleNamespace(
        staff=staff, coordinator=coordinator,
        storeroom=make_location("Storeroom"), kitchen=make_location("Kitchen"),
        bag=make_location("Outreach bag", mobile=True),
        pills=make_item(by=staff),
        soap=make_item("Soap", "hygiene", expiry=False, by=staff),
        rice=make_item("Rice", "food", unit="kg", expiry=False, by=staff),
    )
    db.session.commit()
    return ns


def build_link() -> SimpleNamespace:
    """Stock and shifts together: the stock set-up, two bags, a street outreach kit, an
    outreach shift in two days with a volunteer confirmed on it, and another volunteer who
    is not."""
    ns = build_stock()
    ns.bag2 = make_location("Second bag", mobile=True)
    receive(ns, ns.pills, 30, code="SOON", days=20)
    receive(ns, ns.pills, 30, code="LATER", days=200)
    receive(ns, ns.soap, 10)
    kits.save_kit(db.session, "street_outreach", {ns.pills.id: "12", ns.soap.id: "4"}, by=ns.coordinator)
    ns.outreach = h.activity("street_outreach", name="Street outreach Vesterbro", capacity=(2, 4))
    ns.place = h.place("Istedgade", kind="street", address="Istedgade 1")
    ns.shift = h.shift(ns.outreach, in_days=2, capacity=(2, 4), place_=ns.place)
    ns.volunteer = factories.user(full_name="Vera Volunteer")
    ns.other = factories.user(full_name="Otto Other")
    signups.sign_up(db.session, ns.shift, ns.volunteer, by=ns.volunteer)
    db.session.commit()
    return ns


def attached(app):
    """``with block(ns) as s:`` — an app context whose ``s`` holds ``ns``'s objects attached
    to that context's session; commits at the end of the block."""

    @contextlib.contextmanager
    def block(ns):
        with app.app_context():
            yield SimpleNamespace(**{k: db.session.merge(v, load=False) for k, v in vars(ns).items()})
            db.session.commit()

    return block


@pytest.fixture
def stock(app_ctx):
    """The stock set-up inside an app context held for the test (service tests)."""
    return build_stock()


@pytest.fixture
def web_stock(app):
    """The stock set-up built in its own app context, so client requests get theirs."""
    with app.app_context():
        return build_stock()


@pytest.fixture
def link(app_ctx):
    """The set-up linked to a shift, built inside the test's app context (service tests)."""
    return build_link()


@pytest.fixture
def web_link(app):
    """The set-up linked to a shift, built in its own app context, so client requests get theirs."""
    with app.app_context():
        return build_link()


@pytest.fixture
def data(app):
    """``with data(ns) as s:`` — see :func:`attached`."""
    return attached(app)


# --- checking the ledger ----------------------------------------------------------------

def on_hand(item, location) -> Decimal:
    return on_hand_by_item(db.session, location.id, [item.id]).get(item.id, Decimal(0))


def assert_consistent():
    result = ledger.verify(db.session)
    assert result.differences == [] and result.expiry_differences == []
    return result


def audit_actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id))]


@pytest.fixture
def movements_count(app):
    def count() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count(Movement.id)))
    return count


# --- pages and forms --------------------------------------------------------------------

def token_of(html: str) -> str:
    found = re.search(r'name="once"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="once"', html)
    assert found, "no one-time token on the form"
    return found.group(1)


def form_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def receive_data(stock, **over):
    data = {"item_id": stock.pills.id, "quantity": "24", "location_id": stock.storeroom.id, "lot_code": "PX-1",
            "expires_on": (today() + dt.timedelta(days=200)).isoformat(), "source_kind": "donor",
            "source_name": "Apotek", "unit_cost": "", "note": ""}
    data.update(over)
    return data


def line_fields(values: dict, key: str = "item_id") -> dict:
    """Form data for a page with one quantity per line (kit, count, return): {id: quantity}
    as the FieldList's ``lines-<n>-<key>`` and ``lines-<n>-quantity`` fields."""
    data = {}
    for n, (line_id, quantity) in enumerate(values.items()):
        data[f"lines-{n}-{key}"] = line_id
        data[f"lines-{n}-quantity"] = quantity
    return data


def line_value(html: str, line_id: int, key: str = "item_id") -> str | None:
    """The quantity a line form shows for ``line_id``, or None when the page has no such line."""
    found = re.search(rf'name="lines-(\d+)-{key}" type="hidden" value="{line_id}"', html)
    if found is None:
        return None
    value = re.search(rf'name="lines-{found.group(1)}-quantity"[^>]*value="([^"]*)"', html)
    return value.group(1) if value else None
