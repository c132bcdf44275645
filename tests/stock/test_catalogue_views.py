"""Catalogue pages through the client: the minimum level form (coordinators) and the new item
form with bad clothing."""
from __future__ import annotations

import pytest

from logistics.extensions import db


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


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
