"""Kit pages through the client: editing a kit, the outreach check, packing (once), and the
return with a bad quantity on its line."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.stock import ledger
from logistics.stock.models import Movement, MovementKind, Outreach
from logistics.stock.queries.ledger import on_hand_by_item
from tests.stock.conftest import line_fields, receive, token_of


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


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
    client.post("/stock/kits/street_outreach", data={**line_fields({stock.pills.id: "10"}),
                                                     "new_item_id": stock.soap.id, "new_quantity": "2"})
    auth.logout()
    auth.login(stock.staff)
    url = (f"/stock/outreach?activity_kind=street_outreach&from_location_id={stock.storeroom.id}"
           f"&bag_location_id={stock.bag.id}")
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
