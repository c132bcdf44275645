"""The double submit through a form: recorded once, the repeat shows what was recorded, and a
failed submit does not spend the token."""
from __future__ import annotations

import pytest

from tests.stock.conftest import form_page, receive_data, token_of


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


def test_double_submit_records_once_and_shows_what_was_recorded(client, login, stock, data, movements_count):
    login(stock.staff)
    data = {**receive_data(stock), "once": token_of(form_page(client, "/stock/receive"))}
    assert client.post("/stock/receive", data=data).status_code == 302
    again = client.post("/stock/receive", data=data)
    assert again.status_code == 409  # Conflict: the page says what the first submit recorded
    page = again.get_data(as_text=True)
    assert "Already recorded" in page and "Paracetamol" in page and "PX-1" in page
    assert movements_count() == 1


def test_a_failed_submit_does_not_spend_the_token(client, login, stock, data, movements_count):
    login(stock.staff)
    token = token_of(form_page(client, "/stock/receive"))
    assert client.post("/stock/receive", data={**receive_data(stock, quantity="0"), "once": token}).status_code == 422
    assert client.post("/stock/receive", data={**receive_data(stock), "once": token}).status_code == 302
    assert movements_count() == 1
