"""List pages and CSV through the client: the shopping list, the exports (no spreadsheet
formulas, date ranges, a bad date), the expiring list."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from logistics.clock import today
from logistics.extensions import db
from logistics.stock import catalogue
from tests.stock.conftest import receive


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


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
