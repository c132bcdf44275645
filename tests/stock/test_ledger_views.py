"""Ledger pages through the client: the item page, the receive, issue, transfer, discard,
adjust and undo forms (bad input on the form, nothing saved), the lot page, and query counts
that do not grow."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.stock import ledger
from logistics.stock.models import Movement
from logistics.stock.queries.ledger import on_hand_by_item
from tests.stock.conftest import form_page, make_item, receive, receive_data, token_of


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


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
def test_receive_bad_input_shows_message_and_saves_nothing(client, login, stock, over, field, message, data,
                                                           movements_count):
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
