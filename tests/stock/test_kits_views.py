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


def test_the_check_says_before_packing_that_the_only_bag_is_out_and_a_bag_can_be_added(client, auth, stock, data):
    """"Pack the bag" was offered while the only bag was out, then refused: the page says it
    first, and staff add a second bag so the next outreach can be packed."""
    from logistics.stock import kits

    with data(stock) as s:
        receive(s, s.soap, 10)
        kits.save_kit(db.session, "street_outreach", {s.soap.id: "2"}, by=s.coordinator)
        kits.pack_bag(db.session, from_location=s.storeroom, bag=s.bag, activity_kind="street_outreach", by=s.staff)
    auth.login(stock.staff)
    url = f"/stock/outreach?activity_kind=street_outreach&from_location_id={stock.storeroom.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Outreach bag is still out on an outreach" in page and "Every bag is out." in page
    assert "Pack the bag</button>" not in page
    assert "Outreach bag (out since" in page  # the choice says so too
    response = client.post("/stock/outreach/bags", data={"name": "Outreach bag 2", "activity_kind": "street_outreach",
                                                         "from_location_id": stock.storeroom.id,
                                                         "once": token_of(page)})
    assert response.status_code == 302
    with data(stock):
        from logistics.stock.models import Location

        second = db.session.scalar(sa.select(Location).where(Location.name == "Outreach bag 2"))
        assert second.is_mobile
    assert f"bag_location_id={second.id}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Outreach bag 2 is added" in page and "Pack the bag</button>" in page and "still out" not in page
    # A name that is taken is refused with its reason.
    clash = client.post("/stock/outreach/bags", data={"name": "Outreach bag 2", "once": token_of(page)},
                        follow_redirects=True)
    assert "There is already a location with this name." in clash.get_data(as_text=True)


def test_the_return_starts_from_what_was_packed_and_shows_what_was_handed_out(client, auth, stock, data):
    from logistics.stock import kits
    from tests.stock.conftest import line_value

    with data(stock) as s:
        receive(s, s.soap, 10)
        receive(s, s.pills, 10, code="P", days=90)
        kits.save_kit(db.session, "street_outreach", {s.soap.id: "4", s.pills.id: "6"}, by=s.coordinator)
        outreach = kits.pack_bag(db.session, from_location=s.storeroom, bag=s.bag, activity_kind="street_outreach",
                                 by=s.staff).outreach
    auth.login(stock.staff)
    detail = client.get(f"/stock/outreach/{outreach.id}").get_data(as_text=True)
    assert line_value(detail, stock.soap.id) == "4" and line_value(detail, stock.pills.id) == "6"
    assert "Nothing is recorded as handed out: everything came back." in detail
    # Without JavaScript: "Show what was handed out" sends the counts back without saving.
    preview = client.post(f"/stock/outreach/{outreach.id}/return", data={
        **line_fields({stock.soap.id: "1", stock.pills.id: "6"}), "preview": "1", "once": token_of(detail)})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "One item is recorded as handed out" in html
    assert ">3</output>" in html  # 4 soap packed, 1 came back
    with data(stock):
        assert db.session.get(Outreach, outreach.id).returned_at is None
    # Saving without changing anything records everything as come back, nothing handed out.
    ok = client.post(f"/stock/outreach/{outreach.id}/return", data={
        **line_fields({stock.soap.id: "4", stock.pills.id: "6"}), "once": token_of(html)})
    assert ok.status_code == 302
    with data(stock):
        assert on_hand_by_item(db.session, stock.storeroom.id) == {stock.soap.id: 10, stock.pills.id: 10}
        assert not db.session.scalars(sa.select(Movement).where(Movement.kind == MovementKind.ISSUE)).all()


def test_a_return_before_the_shift_warns_and_asks_why(client, auth, data, app):
    from logistics.stock import kits
    from tests.stock.conftest import build_link

    with app.app_context():
        link = build_link()
    with data(link) as s:
        outreach_id = kits.pack_bag(db.session, from_location=s.storeroom, bag=s.bag, shift=s.shift,
                                    by=s.staff).outreach.id
    auth.login(link.staff)
    detail = client.get(f"/stock/outreach/{outreach_id}").get_data(as_text=True)
    assert "This shift has not started yet" in detail and "Why is the bag back before the shift?" in detail
    fields = line_fields({link.pills.id: "12", link.soap.id: "4"})
    refused = client.post(f"/stock/outreach/{outreach_id}/return", data={**fields, "once": token_of(detail)})
    assert refused.status_code == 422 and "Say why the bag is back already." in refused.get_data(as_text=True)
    ok = client.post(f"/stock/outreach/{outreach_id}/return", data={
        **fields, "early_reason": "The outreach was moved to Friday", "once": token_of(refused.get_data(as_text=True))})
    assert ok.status_code == 302
