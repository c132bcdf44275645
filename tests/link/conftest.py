"""Stock and shifts together: a storeroom, two bags, a street outreach kit, an outreach
shift in two days with a volunteer confirmed on it, and another volunteer who is not."""
from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest

from logistics.extensions import db
from logistics.shifts import services as shift_services
from logistics.stock import kits
from tests import factories
from tests.shifts import helpers as h
from tests.stock.conftest import build_stock, make_location, receive


def build_link() -> SimpleNamespace:
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
    shift_services.sign_up(db.session, ns.shift, ns.volunteer, by=ns.volunteer)
    db.session.commit()
    return ns


@pytest.fixture
def link(app_ctx):
    """Built inside the test's app context (service tests)."""
    return build_link()


@pytest.fixture
def web_link(app):
    """Built in its own app context, so client requests get theirs."""
    with app.app_context():
        return build_link()


@pytest.fixture
def data(app):
    """``with data(ns) as s:`` — ``ns``'s objects attached to a fresh app context's session;
    commits at the end of the block."""

    @contextlib.contextmanager
    def block(ns):
        with app.app_context():
            yield SimpleNamespace(**{k: db.session.merge(v, load=False) for k, v in vars(ns).items()})
            db.session.commit()

    return block
