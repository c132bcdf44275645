"""The outreach check opened from a shift: upcoming kit shifts listed, packing for one, a
second bag refused, and packing for a cancelled or missing shift refused on the page."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.shifts import planning
from logistics.stock.models import Outreach
from tests.shifts import helpers as h
from tests.stock.conftest import token_of


@pytest.fixture
def link(web_link):
    return web_link


def test_check_page_lists_upcoming_kit_shifts_and_packs_for_one(client, auth, link, data):
    with data(link) as s:
        cancelled = h.shift(s.outreach, in_days=3)
        planning.cancel_shift(db.session, cancelled, by=s.coordinator)
        later = h.shift(s.outreach, in_days=9)
        other_kind = h.shift(h.activity("packing", name="Packing day"), in_days=1)
        ids = (cancelled.id, later.id, other_kind.id)
    auth.login(link.staff)
    html = client.get("/stock/outreach").get_data(as_text=True)
    section = html.split('class="card kit-shifts"')[1].split("</section>")[0]
    assert f"shift_id={link.shift.id}" in section and "Not packed" in section
    assert all(f"shift_id={i}&" not in section and f"shift_id={i}\"" not in section for i in ids)

    page = client.get(f"/stock/outreach?shift_id={link.shift.id}").get_data(as_text=True)
    assert "Packing for" in page and "Pack the bag for this shift" in page
    assert 'name="activity_kind" value="street_outreach"' in page and '<select id="activity_kind"' not in page
    assert f'name="shift_id" type="hidden" value="{link.shift.id}"' in page or \
        f'name="shift_id" value="{link.shift.id}"' in page
    response = client.post("/stock/outreach/pack", data={
        "activity_kind": "street_outreach", "from_location_id": link.storeroom.id,
        "bag_location_id": link.bag.id, "shift_id": link.shift.id, "once": token_of(page)})
    assert response.status_code == 302
    with data(link) as s:
        outreach = db.session.scalar(sa.select(Outreach))
        assert outreach.shift_id == s.shift.id
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/shifts/{link.shift.id}" in detail

    # The list now says the shift is packed; a second bag for it is refused, nothing saved.
    again = client.get(f"/stock/outreach?shift_id={link.shift.id}&bag_location_id={link.bag2.id}"
                       ).get_data(as_text=True)
    assert "Packed in Outreach bag" in again and "Pack the bag for this shift" not in again
    refused = client.post("/stock/outreach/pack", data={
        "activity_kind": "street_outreach", "from_location_id": link.storeroom.id,
        "bag_location_id": link.bag2.id, "shift_id": link.shift.id, "once": _fresh(token_of(page))},
        follow_redirects=True)
    assert "already packed for this shift" in refused.get_data(as_text=True)
    with data(link):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Outreach)) == 1


def _fresh(token: str) -> str:
    """Another token than ``token`` (its last character changed; a token ending in "Y" stayed
    the same before, and the post then answered "Already recorded")."""
    return token[:-1] + ("Z" if token.endswith("Y") else "Y")


def test_pack_for_a_cancelled_or_missing_shift_is_refused_on_the_page(client, auth, link, data):
    auth.login(link.staff)
    page = client.get(f"/stock/outreach?shift_id={link.shift.id}").get_data(as_text=True)
    with data(link) as s:
        planning.cancel_shift(db.session, s.shift, by=s.coordinator)
    html = client.get(f"/stock/outreach?shift_id={link.shift.id}").get_data(as_text=True)
    assert "This shift is cancelled" in html and "Pack the bag for this shift" not in html
    response = client.post("/stock/outreach/pack", data={
        "activity_kind": "street_outreach", "from_location_id": link.storeroom.id,
        "bag_location_id": link.bag.id, "shift_id": link.shift.id, "once": token_of(page)}, follow_redirects=True)
    assert response.status_code == 200 and "This shift is cancelled" in response.get_data(as_text=True)
    missing = client.post("/stock/outreach/pack", data={
        "activity_kind": "street_outreach", "from_location_id": link.storeroom.id,
        "bag_location_id": link.bag.id, "shift_id": "999999", "once": token_of(page)}, follow_redirects=True)
    assert "does not exist any more" in missing.get_data(as_text=True)
    # Nonsense in the query string is ignored, not a 500.
    assert client.get("/stock/outreach?shift_id=abc").status_code == 200
    with data(link):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Outreach)) == 0
