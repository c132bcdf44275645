"""List pages and CSV through the client: the shopping list, the exports (no spreadsheet
formulas, date ranges, a bad date), the expiring list."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

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


def test_the_expired_list_discards_all_of_these_with_one_confirmation(client, login, stock, data):
    from tests.stock.conftest import token_of

    with data(stock) as s:
        receive(s, s.pills, 5, code="GONE", days=-1, confirm_past_expiry=True)
        receive(s, s.pills, 3, code="OLD", days=-30, location=s.kitchen, confirm_past_expiry=True)
        receive(s, s.pills, 2, code="FINE", days=30)
    login(stock.staff)
    html = client.get("/stock/expired").get_data(as_text=True)
    assert "Discard all of these" in html and "Discard all 2 lots" in html and "data-confirm" in html
    form = html[html.index('action="/stock/expired/discard"'):]
    fields = dict(re.findall(r'name="(lines-\d+-\w+)"[^>]*value="([^"]*)"', form))
    assert len(fields) == 6
    r = client.post("/stock/expired/discard", data={**fields, "reason": "expired", "note": "",
                                                    "once": token_of(form)})
    assert r.status_code == 302
    page = client.get("/stock/expired").get_data(as_text=True)
    assert "2 expired lots discarded." in page and "No expired stock." in page
    # The same form sent again records nothing new.
    again = client.post("/stock/expired/discard", data={**fields, "reason": "expired", "once": token_of(form)})
    assert again.status_code == 409
    with data(stock) as s:
        from logistics.stock.queries import lists as lists_queries

        assert lists_queries.expired(db.session) == []
        assert [r.lot.code for r in lists_queries.expiring(db.session)] == ["FINE"]
