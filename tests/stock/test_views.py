"""Stock pages through the client: rendering, forms, bad input on the form with nothing saved,
the double submit, the outreach flow, counts, CSV, and query counts that do not grow."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.clock import today
from logistics.extensions import db
from logistics.stock import catalogue, ledger
from logistics.stock.models import Movement, MovementKind, Outreach, Stocktake
from logistics.stock.queries.ledger import on_hand_by_item
from tests.stock.conftest import line_fields, make_item, receive


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


@pytest.fixture
def movements_count(app):
    def count() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count(Movement.id)))
    return count


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


# --- pages render -------------------------------------------------------------------------

def test_pages_render_for_staff(client, login, stock, data, movements_count):
    with data(stock) as s:
        lot_id = receive(s, s.pills, 10, code="A", days=20).lot_id
        receive(s, s.soap, 3)
        catalogue.set_min_level(db.session, s.soap, "5", by=s.coordinator)
        group = catalogue.create_product_group(db.session, name="Winter jacket", by=s.staff)
        make_item("Winter jacket", "clothing", expiry=False, product_group_id=group.id, size="M", fit="women",
                  by=s.staff)
    login(stock.staff)
    for url in ["/stock/", f"/stock/items/{stock.pills.id}", "/stock/receive", "/stock/issue", "/stock/transfer",
                "/stock/discard", f"/stock/lots/{lot_id}", "/stock/locations", "/stock/groups",
                f"/stock/groups/{group.id}", "/stock/counts", "/stock/expiring", "/stock/expired",
                "/stock/shopping-list", "/stock/export", "/stock/kits", "/stock/outreach", "/stock/items/new",
                f"/stock/items/{stock.pills.id}/edit", f"/stock/issue?item_id={stock.pills.id}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'style="' not in response.data, url  # the CSP forbids inline styles
    overview = client.get("/stock/").get_data(as_text=True)
    assert "Paracetamol" in overview and "Below minimum" in overview
    found = client.get("/stock/?q=soap").get_data(as_text=True)
    assert f"/stock/items/{stock.soap.id}\"" in found and f"/stock/items/{stock.pills.id}\"" not in found
    grid = client.get(f"/stock/groups/{group.id}").get_data(as_text=True)
    assert "women" in grid and ">M<" in grid


def test_item_page_has_svg_chart_and_paged_history(client, login, stock, data, movements_count):
    with data(stock) as s:
        for _ in range(30):
            receive(s, s.soap, 1)
    login(stock.staff)
    html = client.get(f"/stock/items/{stock.soap.id}").get_data(as_text=True)
    assert '<svg class="chart"' in html and 'class="chart-line"' in html and "<script" not in html.split("<main")[1]
    assert "Page 1 of 2" in html
    assert client.get(f"/stock/items/{stock.soap.id}?page=2").status_code == 200
    assert client.get("/stock/items/99999").status_code == 404


def test_volunteer_sees_no_stock(client, login, stock, data, movements_count):
    login("volunteer")
    assert client.get("/stock/").status_code == 403
    assert b"/stock/" not in client.get("/").data  # no nav entry


# --- receive through the form ---------------------------------------------------------------

def test_receive_form_records_and_redirects(client, login, stock, data, movements_count):
    login(stock.staff)
    html = form_page(client, "/stock/receive")
    response = client.post("/stock/receive", data={**receive_data(stock), "once": token_of(html)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/stock/items/{stock.pills.id}")
    assert movements_count() == 1


@pytest.mark.parametrize("over, field, message", [
    ({"quantity": "0"}, "quantity", "above zero"),
    ({"quantity": "-4"}, "quantity", "above zero"),
    ({"quantity": "2.5"}, "quantity", "whole"),
    ({"quantity": "99999999"}, "quantity", "far more"),
    ({"quantity": ""}, "quantity", "Enter a quantity"),
    ({"item_id": "424242"}, "item_id", "does not exist"),
    ({"item_id": "abc"}, "item_id", "does not exist"),
    ({"expires_on": ""}, "expires_on", "expiry date"),
    ({"expires_on": "2001-01-01"}, "expires_on", "in the past"),
    ({"unit_cost": "lots"}, "unit_cost", "price per unit"),
])
def test_receive_bad_input_shows_message_and_saves_nothing(client, login, stock, over, field, message, data, movements_count):
    login(stock.staff)
    html = form_page(client, "/stock/receive")
    response = client.post("/stock/receive", data={**receive_data(stock, **over), "once": token_of(html)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert movements_count() == 0


def test_receive_past_expiry_with_confirmation(client, login, stock, data, movements_count):
    login(stock.staff)
    html = form_page(client, "/stock/receive")
    data = {**receive_data(stock, expires_on="2001-01-01"), "confirm_past_expiry": "y", "once": token_of(html)}
    assert client.post("/stock/receive", data=data).status_code == 302
    assert movements_count() == 1


def test_double_submit_records_once_and_shows_what_was_recorded(client, login, stock, data, movements_count):
    login(stock.staff)
    data = {**receive_data(stock), "once": token_of(form_page(client, "/stock/receive"))}
    assert client.post("/stock/receive", data=data).status_code == 302
    again = client.post("/stock/receive", data=data)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "Already recorded" in page and "Paracetamol" in page and "PX-1" in page
    assert movements_count() == 1


def test_a_failed_submit_does_not_spend_the_token(client, login, stock, data, movements_count):
    login(stock.staff)
    token = token_of(form_page(client, "/stock/receive"))
    assert client.post("/stock/receive", data={**receive_data(stock, quantity="0"), "once": token}).status_code == 422
    assert client.post("/stock/receive", data={**receive_data(stock), "once": token}).status_code == 302
    assert movements_count() == 1


# --- issue, transfer, discard, adjust, undo -----------------------------------------------------

def test_issue_insufficient_stock_message_on_quantity(client, login, stock, data, movements_count):
    with data(stock) as s:
        receive(s, s.soap, 3)
    login(stock.staff)
    html = form_page(client, f"/stock/issue?item_id={stock.soap.id}")
    data = {"item_id": stock.soap.id, "quantity": "5", "location_id": stock.storeroom.id, "lot_id": "",
            "reason": "outreach", "once": token_of(html)}
    response = client.post("/stock/issue", data=data)
    assert response.status_code == 422
    assert "Only 3 pcs of Soap available at Storeroom" in response.get_data(as_text=True)
    data["quantity"] = "2"
    assert client.post("/stock/issue", data=data).status_code == 302
    assert movements_count() == 2


def test_transfer_to_same_location_message(client, login, stock, data, movements_count):
    with data(stock) as s:
        receive(s, s.soap, 3)
    login(stock.staff)
    html = form_page(client, "/stock/transfer")
    data = {"item_id": stock.soap.id, "quantity": "1", "location_id": stock.storeroom.id,
            "to_location_id": stock.storeroom.id, "lot_id": "", "once": token_of(html)}
    response = client.post("/stock/transfer", data=data)
    assert response.status_code == 422 and 'id="to_location_id-error"' in response.get_data(as_text=True)
    assert movements_count() == 1


def test_discard_and_adjust_and_undo(client, auth, stock, data, movements_count):
    with data(stock) as s:
        receive(s, s.soap, 10)
    auth.login(stock.staff)
    html = form_page(client, "/stock/discard")
    response = client.post("/stock/discard", data={"item_id": stock.soap.id, "quantity": "2", "reason": "damaged",
                                                   "location_id": stock.storeroom.id, "lot_id": "",
                                                   "once": token_of(html)})
    assert response.status_code == 302
    assert client.get("/stock/adjust").status_code == 403  # staff may not adjust
    auth.logout()
    assert auth.login(stock.coordinator).status_code == 302
    coordinator_client = client
    page = coordinator_client.get("/stock/adjust")
    assert page.status_code == 200, page.headers.get("Location")
    html = page.get_data(as_text=True)
    fields = {"item_id": stock.soap.id, "quantity": "1", "direction": "up", "location_id": stock.storeroom.id,
            "lot_id": "", "reason": "", "once": token_of(html)}
    response = coordinator_client.post("/stock/adjust", data=fields)
    assert response.status_code == 422 and 'id="reason-error"' in response.get_data(as_text=True)
    fields["reason"] = "Found behind the shelf"
    assert coordinator_client.post("/stock/adjust", data=fields).status_code == 302
    with data(stock):
        last = db.session.scalar(sa.select(Movement).order_by(Movement.id.desc()).limit(1))
    html = coordinator_client.get(f"/stock/movements/{last.id}/undo").get_data(as_text=True)
    response = coordinator_client.post(f"/stock/movements/{last.id}/undo",
                                       data={"reason": "", "once": token_of(html)})
    assert response.status_code == 302
    with data(stock):
        assert on_hand_by_item(db.session, stock.storeroom.id)[stock.soap.id] == 8
    assert movements_count() == 4


def test_minimum_level_form_for_coordinators(client, auth, stock, data, movements_count):
    auth.login(stock.coordinator)
    response = client.post(f"/stock/items/{stock.soap.id}/minimum", data={"min_level": "-2"})
    assert response.status_code == 422 and 'id="min_level-error"' in response.get_data(as_text=True)
    assert client.post(f"/stock/items/{stock.soap.id}/minimum", data={"min_level": "12"}).status_code == 302
    with data(stock):
        assert db.session.get(type(stock.soap), stock.soap.id).min_level == 12


def test_new_item_form_and_bad_clothing(client, login, stock, data, movements_count):
    login(stock.staff)
    data = {"name": "Gloves", "category": "clothing", "unit": "pair", "product_group_id": "", "fit": "",
            "size": "", "notes": ""}
    response = client.post("/stock/items/new", data=data)
    assert response.status_code == 422 and "size and fit" in response.get_data(as_text=True)
    data.update(fit="women", size="M")
    assert client.post("/stock/items/new", data=data).status_code == 302


# --- lots ---------------------------------------------------------------------------------------

def test_quarantine_and_release_from_the_lot_page(client, auth, stock, data, movements_count):
    with data(stock) as s:
        lot = receive(s, s.pills, 5, code="R1", days=90).lot
    auth.login(stock.staff)
    assert client.post(f"/stock/lots/{lot.id}/quarantine", data={"reason": ""}).status_code == 422
    assert client.post(f"/stock/lots/{lot.id}/quarantine", data={"reason": "Recall 7"}).status_code == 302
    page = client.get(f"/stock/lots/{lot.id}").get_data(as_text=True)
    assert "Blocked" in page and "Recall 7" in page and "Storeroom" in page
    assert client.post(f"/stock/lots/{lot.id}/release", data={}).status_code == 403


# --- counts ---------------------------------------------------------------------------------------

def test_count_flow_save_part_way_and_finish(client, login, stock, data, movements_count):
    with data(stock) as s:
        receive(s, s.soap, 10)
        receive(s, s.rice, "4.5")
    login(stock.staff)
    response = client.post("/stock/counts/start", data={"location_id": stock.storeroom.id})
    assert response.status_code == 302
    take_id = int(response.headers["Location"].rsplit("/", 1)[1])
    again = client.post("/stock/counts/start", data={"location_id": stock.storeroom.id})
    assert again.status_code == 422 and "unfinished count" in again.get_data(as_text=True)
    with data(stock):
        lines = {line.item_id: line.id for line in db.session.get(Stocktake, take_id).lines}
    html = form_page(client, f"/stock/counts/{take_id}")
    bad = client.post(f"/stock/counts/{take_id}", data={**line_fields({lines[stock.soap.id]: "1.5"}, "line_id"),
                                                        "action": "save", "once": token_of(html)})
    assert bad.status_code == 422 and "whole number" in bad.get_data(as_text=True)
    html = form_page(client, f"/stock/counts/{take_id}")
    saved = client.post(f"/stock/counts/{take_id}", data={**line_fields({lines[stock.soap.id]: "9"}, "line_id"),
                                                          "action": "save", "once": token_of(html)})
    assert saved.status_code == 302
    html = form_page(client, f"/stock/counts/{take_id}")
    assert 'value="9"' in html
    done = client.post(f"/stock/counts/{take_id}", data={**line_fields({lines[stock.rice.id]: "4,25"}, "line_id"),
                                                         "action": "finish", "once": token_of(html)})
    assert done.status_code == 302
    with data(stock):
        on_hand = on_hand_by_item(db.session, stock.storeroom.id)
        assert on_hand[stock.soap.id] == 9 and on_hand[stock.rice.id] == Decimal("4.25")
        counted = sa.select(sa.func.count(Movement.id)).where(Movement.kind == MovementKind.COUNT)
        assert db.session.scalar(counted) == 2


# --- lists and CSV ----------------------------------------------------------------------------------

def _csv(response):
    body = response.get_data(as_text=True)
    response.close()
    return list(csv.reader(io.StringIO(body)))


def test_shopping_list_and_exports(client, login, stock, data, movements_count):
    with data(stock) as s:
        catalogue.set_min_level(db.session, s.soap, "10", by=s.coordinator)
        receive(s, s.soap, 4)
        receive(s, s.pills, 6, code="=HYPERLINK(1)", days=10)
    login(stock.staff)
    assert "Soap" in client.get("/stock/shopping-list").get_data(as_text=True)
    rows = _csv(client.get("/stock/shopping-list.csv"))
    assert rows[0][0] == "item" and rows[1][0] == "Soap" and rows[1][-1] == "6"
    rows = _csv(client.get("/stock/export/on-hand.csv"))
    assert len(rows) == 3 and any(r[4] == "'=HYPERLINK(1)" for r in rows[1:])  # no spreadsheet formulas
    start = (today() - dt.timedelta(days=1)).isoformat()
    rows = _csv(client.get(f"/stock/export/movements.csv?start={start}&kind=receive&item_id={stock.soap.id}"))
    assert len(rows) == 2 and rows[1][2] == "receive"
    rows = _csv(client.get("/stock/export/movements.csv?start=2001-01-01&end=2001-01-02"))
    assert len(rows) == 1
    assert client.get("/stock/export/movements.csv?start=not-a-date").status_code == 422
    assert "Paracetamol" in client.get("/stock/expiring?days=30").get_data(as_text=True)


# --- kits and the outreach check --------------------------------------------------------------------

def test_kit_edit_outreach_check_pack_and_return(client, auth, stock, data, movements_count):
    with data(stock) as s:
        receive(s, s.pills, 8, code="E", days=15)
        receive(s, s.soap, 2)
    auth.login(stock.coordinator)
    response = client.post("/stock/kits/street_outreach", data={"new_item_id": stock.pills.id, "new_quantity": "10"})
    assert response.status_code == 302
    response = client.post("/stock/kits/street_outreach", data={**line_fields({stock.pills.id: "10"}),
                                                                "new_item_id": stock.soap.id, "new_quantity": "1.5"})
    assert response.status_code == 422 and "whole number" in response.get_data(as_text=True)
    client.post("/stock/kits/street_outreach", data={**line_fields({stock.pills.id: "10"}), "new_item_id": stock.soap.id,
                                                     "new_quantity": "2"})
    auth.logout()
    auth.login(stock.staff)
    url = f"/stock/outreach?activity_kind=street_outreach&from_location_id={stock.storeroom.id}&bag_location_id={stock.bag.id}"
    page = client.get(url).get_data(as_text=True)
    assert "check-amber" in page and "check-green" in page
    response = client.post("/stock/outreach/pack", data={"activity_kind": "street_outreach",
                                                         "from_location_id": stock.storeroom.id,
                                                         "bag_location_id": stock.bag.id, "once": token_of(page)})
    assert response.status_code == 302
    with data(stock):
        outreach = db.session.scalar(sa.select(Outreach))
    assert response.headers["Location"].endswith(f"/stock/outreach/{outreach.id}")
    repeat = client.post("/stock/outreach/pack", data={"activity_kind": "street_outreach",
                                                       "from_location_id": stock.storeroom.id,
                                                       "bag_location_id": stock.bag.id, "once": token_of(page)})
    assert "Already recorded" in repeat.get_data(as_text=True)
    detail = client.get(f"/stock/outreach/{outreach.id}").get_data(as_text=True)
    bad = client.post(f"/stock/outreach/{outreach.id}/return", data={**line_fields({stock.pills.id: "99"}),
                                                                     "once": token_of(detail)})
    assert bad.status_code == 422 and "were in the bag" in bad.get_data(as_text=True)
    ok = client.post(f"/stock/outreach/{outreach.id}/return", data={**line_fields({stock.pills.id: "3"}),
                                                                    "once": token_of(detail)})
    assert ok.status_code == 302
    with data(stock):
        assert on_hand_by_item(db.session, stock.bag.id) == {stock.pills.id: 0, stock.soap.id: 0}
        assert on_hand_by_item(db.session, stock.storeroom.id)[stock.pills.id] == 3
        issued = db.session.scalars(sa.select(Movement).where(Movement.kind == MovementKind.ISSUE)).all()
        assert sum(m.quantity for m in issued) == 5 + 2
        assert {(m.reference_type, m.reference_id) for m in issued} == {("outreach", outreach.id)}
        assert ledger.verify(db.session).differences == []


# --- query counts do not grow with data -------------------------------------------------------------

def _grow(data, stock, n):
    with data(stock) as s:
        for i in range(n):
            item = make_item(f"Thing {n}-{i}", "other", expiry=True, by=s.staff)
            receive(s, item, 5, code=f"L{i}", days=30 + i)
            ledger.issue(db.session, item=item, quantity=1, location=s.storeroom, by=s.staff)
            ledger.transfer(db.session, item=item, quantity=1, from_location=s.storeroom,
                              to_location=s.kitchen, by=s.staff)
            receive(s, s.soap, 1)


def test_overview_and_item_page_query_counts_do_not_grow(client, login, stock, queries, data, movements_count):
    login(stock.staff)
    counts = []
    for n in (3, 30):
        _grow(data, stock, n)
        with queries() as overview:
            assert client.get("/stock/").status_code == 200
        with queries() as item_page:
            assert client.get(f"/stock/items/{stock.soap.id}").status_code == 200
        counts.append((overview.count, item_page.count))
    assert counts[0] == counts[1], counts
    assert counts[1][0] <= 12 and counts[1][1] <= 14, counts
