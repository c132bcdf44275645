"""The count pages through the client: start (one unfinished count per location), a bad
count on its line, save part-way, finish."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.stock.models import Movement, MovementKind, Stocktake
from logistics.stock.queries.ledger import on_hand_by_item
from tests.stock.conftest import form_page, line_fields, receive, token_of


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


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


def test_the_finish_button_sends_finish_and_big_counts_come_back_whole(client, login, stock, data):
    """The button a browser clicks names the action (it did not, so counts were only saved),
    and a saved count of 1200 is shown as 1200, not "1,200", which read back as 1.2."""
    with data(stock) as s:
        receive(s, s.soap, 1500)
    login(stock.staff)
    take_id = int(client.post("/stock/counts/start", data={"location_id": stock.storeroom.id})
                  .headers["Location"].rsplit("/", 1)[1])
    with data(stock):
        line_id = next(line.id for line in db.session.get(Stocktake, take_id).lines if line.item_id == stock.soap.id)
    html = form_page(client, f"/stock/counts/{take_id}")
    assert 'name="action" value="finish"' in html
    saved = client.post(f"/stock/counts/{take_id}", data={**line_fields({line_id: "1200"}, "line_id"),
                                                          "action": "save", "once": token_of(html)})
    assert saved.status_code == 302
    html = form_page(client, f"/stock/counts/{take_id}")
    shown = re.search(r'name="lines-0-quantity"[^>]*value="([^"]*)"', html).group(1)
    assert shown == "1200"
    done = client.post(f"/stock/counts/{take_id}", data={**line_fields({line_id: shown}, "line_id"),
                                                         "action": "finish", "once": token_of(html)})
    assert done.status_code == 302
    with data(stock):
        assert on_hand_by_item(db.session, stock.storeroom.id)[stock.soap.id] == 1200
        assert db.session.get(Stocktake, take_id).finished_at is not None


@pytest.mark.parametrize("typed", ["1.000", "1,000", "12.500.000"])
def test_a_thousands_separator_on_pieces_is_questioned_not_read_as_a_decimal(stock, typed):
    from logistics.stock.catalogue import InvalidQuantity, check_quantity

    with pytest.raises(InvalidQuantity, match="thousands separator"):
        check_quantity(stock.soap, typed)


def test_a_huge_quantity_gets_its_message(stock):
    from logistics.stock.catalogue import InvalidQuantity, check_quantity

    with pytest.raises(InvalidQuantity, match="far more than one movement"):
        check_quantity(stock.soap, "1e30")
