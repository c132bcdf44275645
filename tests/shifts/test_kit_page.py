"""The kit of a shift as the shifts pages show it: the kit page (who may see it, what it
shows), the bag on the shift page and My shifts, cancelling a shift whose bag is packed (and
the fill view), and query counts that do not grow.

The set-up (stock linked to an outreach shift) comes from tests/stock/conftest.py."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.shifts import signups
from logistics.shifts.models import Signup, SignupStatus
from logistics.stock import kits
from logistics.stock.models import Lot, Outreach
from logistics.stock.queries.ledger import on_hand_by_item
from tests import factories
from tests.shifts import helpers as h
from tests.stock.conftest import attached, build_link, line_fields, line_value, make_item, receive, token_of


@pytest.fixture
def link(app):
    """The stock set-up linked to an outreach shift, built in its own app context so client
    requests get theirs."""
    with app.app_context():
        return build_link()


@pytest.fixture
def data(app):
    """``with data(ns) as s:`` — ``ns``'s objects in a fresh app context; commits at the end."""
    return attached(app)


def pack(data, link, bag=None):
    with data(link) as s:
        return kits.pack_bag(db.session, from_location=s.storeroom, bag=bag or s.bag, shift=s.shift,
                                 by=s.staff).outreach.id


# --- the kit page ---------------------------------------------------------------------------------

def test_kit_page_for_the_people_on_the_shift_and_staff_only(app, client, auth, link, data):
    url = f"/shifts/{link.shift.id}/kit"
    auth.login(link.volunteer)
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Paracetamol 500 mg" in html and "Soap" in html and "not packed yet" in html
    assert ">12 pcs<" in html.replace("\n", "") or "12 pcs" in html
    # Nothing else about stock: no storerooms, no other items, no prices, no stock pages. (The
    # words of the page: the random form tokens in hidden inputs hold "kr" now and then.)
    words = re.sub(r"<input[^>]*>", "", html)
    assert "Storeroom" not in words and "Rice" not in words and not re.search(r"\bkr\b", words)
    assert "/stock/" not in html
    assert b'style="' not in response.data
    auth.logout()

    auth.login(link.other)  # not on the shift
    assert client.get(url).status_code == 403
    auth.logout()

    waiting = factories_user(app)
    with data(link) as s:
        signup = Signup(shift_id=s.shift.id, user_id=waiting.id, status=SignupStatus.WAITLISTED, position=1)
        db.session.add(signup)
    auth.login(waiting)
    assert client.get(url).status_code == 403  # the waitlist is not on the shift
    auth.logout()

    with data(link) as s:
        row = db.session.scalar(sa.select(Signup).where(Signup.user_id == s.volunteer.id))
        signups.cancel(db.session, row, by=s.volunteer)
    auth.login(link.volunteer)
    assert client.get(url).status_code == 403  # cancelled: no longer on it
    auth.logout()

    for person in (link.staff, link.coordinator):
        auth.login(person)
        assert client.get(url).status_code == 200
        auth.logout()
    auth.login(link.staff)
    assert client.get("/shifts/999999/kit").status_code == 404


def factories_user(app, **kw):
    with app.app_context():
        u = factories.user(**kw)
        db.session.commit()
        return u


def test_kit_page_when_packed_shows_what_the_bag_holds_and_expiry(client, login, link, data):
    pack(data, link)
    login(link.volunteer)
    html = client.get(f"/shifts/{link.shift.id}/kit").get_data(as_text=True)
    assert "The bag is packed: Outreach bag" in html and "In the bag" in html
    with data(link) as s:
        lot = db.session.scalar(sa.select(Lot).where(Lot.code == "SOON"))
        expiry = lot.expires_on
    assert expiry.strftime("%Y") in html and "data-print" in html
    # Danish, for a Danish speaker.
    with data(link) as s:
        s.volunteer.locale = "da"
    html_da = client.get(f"/shifts/{link.shift.id}/kit").get_data(as_text=True)
    assert "Tasken er pakket: Outreach bag" in html_da and "Udløbsdato" in html_da


def test_staff_see_a_discreet_shift_by_its_real_name_inside_the_app(client, auth, link, data, app):
    """Staff pack the kit of a discreet shift: they see which activity it is (a prison visit
    shown as "HopeNow shift" left them guessing which kit it needs); the address of a
    sensitive place stays for coordinators and the people on the shift."""
    with data(link) as s:
        s.outreach.is_discreet = True
    auth.login(link.staff)
    html = client.get(f"/shifts/{link.shift.id}/kit").get_data(as_text=True)
    assert "Street outreach Vesterbro" in html and "Istedgade" not in html and "HopeNow shift" not in html
    assert "Street outreach Vesterbro" in client.get("/stock/outreach").get_data(as_text=True)
    auth.logout()
    auth.login(link.other)  # a volunteer who is not on it
    html = client.get(f"/shifts/{link.shift.id}").get_data(as_text=True)
    assert "Street outreach Vesterbro" not in html and "HopeNow shift" in html
    auth.logout()
    auth.login(link.volunteer)
    assert "Street outreach Vesterbro" in client.get(f"/shifts/{link.shift.id}/kit").get_data(as_text=True)


# --- the shift page, My shifts, the fill view -----------------------------------------------------

def test_shift_page_shows_the_bag_to_staff_and_the_kit_link_to_the_people_on_it(client, auth, link, data):
    url = f"/shifts/{link.shift.id}"
    auth.login(link.staff)
    html = client.get(url).get_data(as_text=True)
    assert "Not packed" in html and f"/stock/outreach?shift_id={link.shift.id}" in html
    assert f"/shifts/{link.shift.id}/kit" in html
    outreach_id = pack(data, link)
    html = client.get(url).get_data(as_text=True)
    assert "Packed by" in html and "Outreach bag" in html and f"/stock/outreach/{outreach_id}" in html
    assert "Not packed" not in html
    auth.logout()

    auth.login(link.volunteer)
    html = client.get(url).get_data(as_text=True)
    assert f"/shifts/{link.shift.id}/kit" in html
    assert "/stock/" not in html and "Packed by" not in html  # no stock pages, no packer for volunteers
    mine = client.get("/shifts/mine").get_data(as_text=True)
    assert f"/shifts/{link.shift.id}/kit" in mine
    auth.logout()

    auth.login(link.other)
    html = client.get(url).get_data(as_text=True)
    assert "/kit" not in html and "/stock/" not in html


def test_returned_bag_on_the_shift_page(client, login, link, data):
    outreach_id = pack(data, link)
    with data(link) as s:
        kits.record_return(db.session, db.session.get(Outreach, outreach_id), {s.pills.id: "5"},
                           early_reason="Outreach called off", by=s.staff)
    login(link.staff)
    html = client.get(f"/shifts/{link.shift.id}").get_data(as_text=True)
    assert "returned on" in html and f"/stock/outreach/{outreach_id}" in html


def test_cancelling_a_shift_whose_bag_is_packed_says_to_unpack_it(client, auth, link, data):
    outreach_id = pack(data, link)
    auth.login(link.coordinator)
    response = client.post(f"/shifts/{link.shift.id}/cancel-shift", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Outreach bag is packed for this shift: unpack it" in html
    assert "its bag is still packed" in html
    fill = client.get("/shifts/staffing").get_data(as_text=True)
    assert "Bags to unpack" in fill and f"/stock/outreach/{outreach_id}" in fill
    # The return page fills in the whole bag as come back.
    detail = client.get(f"/stock/outreach/{outreach_id}").get_data(as_text=True)
    assert "should be unpacked" in detail
    assert line_value(detail, link.pills.id) == "12"
    ok = client.post(f"/stock/outreach/{outreach_id}/return",
                     data={**line_fields({link.pills.id: "12", link.soap.id: "4"}), "once": token_of(detail)})
    assert ok.status_code == 302
    assert "Bags to unpack" not in client.get("/shifts/staffing").get_data(as_text=True)
    with data(link) as s:
        assert on_hand_by_item(db.session, s.bag.id) == {s.pills.id: 0, s.soap.id: 0}


# --- query counts -------------------------------------------------------------------------------

def _grow(data, link, n):
    """More kit lines, more lots in the bag, more shifts and sign-ups."""
    with data(link) as s:
        lines = {}
        for i in range(n):
            item = make_item(f"Plaster {n}-{i}", "hygiene", expiry=True, by=s.staff)
            receive(s, item, 3, code=f"P{n}-{i}a", days=40 + i, location=s.bag)
            receive(s, item, 3, code=f"P{n}-{i}b", days=90 + i, location=s.bag)
            lines[item.id] = "5"
            other = h.shift(s.outreach, in_days=3 + i / 10)
            db.session.add(Signup(shift=other, user_id=s.other.id, status=SignupStatus.CONFIRMED,
                                  confirmed_at=utcnow()))
        kit = kits.get_kit(db.session, "street_outreach")
        lines.update({ln.item_id: str(ln.quantity) for ln in kit.lines})
        kits.save_kit(db.session, "street_outreach", lines, by=s.coordinator)


@pytest.mark.parametrize("who", ["volunteer", "staff"])
def test_kit_and_shift_page_query_counts_do_not_grow(client, login, queries, link, data, who):
    pack(data, link)
    login(getattr(link, who))
    counts = []
    for n in (2, 20):
        _grow(data, link, n)
        with queries() as kit_page:
            assert client.get(f"/shifts/{link.shift.id}/kit").status_code == 200
        with queries() as shift_page:
            assert client.get(f"/shifts/{link.shift.id}").status_code == 200
        counts.append((kit_page.count, shift_page.count))
    assert counts[0] == counts[1], counts
    assert counts[1][0] <= 10, counts
