"""Stock fixtures: a small storeroom set-up built through the services."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from logistics.clock import today
from logistics.extensions import db
from logistics.stock import catalogue, ledger
from logistics.stock.models import Location
from tests import factories


def make_item(name="Paracetamol 500 mg", category="medicine", unit="piece", expiry=True, by=None, **kw):
    return catalogue.create_item(db.session, name=name, category=category, unit=unit, is_expiry_tracked=expiry,
                                notes=kw.pop("notes", None), product_group_id=kw.pop("product_group_id", None),
                                size=kw.pop("size", None), fit=kw.pop("fit", None), by=by, **kw)


def make_location(name, mobile=False):
    loc = Location(name=name, is_mobile=mobile)
    db.session.add(loc)
    db.session.flush()
    return loc


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
def data(app):
    """``with data(ns) as s:`` — an app context whose ``s`` holds ``ns``'s objects attached
    to that context's session; commits at the end of the block."""
    import contextlib

    @contextlib.contextmanager
    def block(ns):
        with app.app_context():
            yield SimpleNamespace(**{k: db.session.merge(v, load=False) for k, v in vars(ns).items()})
            db.session.commit()

    return block


def receive(ns, item, qty, location=None, code=None, days=None, **kw):
    expires = today() + dt.timedelta(days=days) if days is not None else None
    return ledger.receive(db.session, item=item, quantity=qty, location=location or ns.storeroom,
                            lot_code=code, expires_on=expires, by=ns.staff, **kw)


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
