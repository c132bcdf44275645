"""Where a submit went is kept on its one-time token for a repeat to link to: a redirect
too long for the column (a hostile value sent back in its query string) is kept without
its query string, never cut, and never fails the request (found by the fuzz test on
PostgreSQL, whose VARCHAR(300) refused it after the view had committed)."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.extensions import db
from logistics.once import NEXT_URL_LENGTH, FormToken, bounded_next_url
from tests.stock.conftest import form_page, token_of


def test_bounded_next_url():
    assert bounded_next_url(None) is None and bounded_next_url("") is None
    assert bounded_next_url("/stock/outreach?bag=3") == "/stock/outreach?bag=3"
    long_query = "/stock/outreach?activity_kind=" + "%CC%81" * 80
    assert len(long_query) > NEXT_URL_LENGTH
    assert bounded_next_url(long_query) == "/stock/outreach"
    assert bounded_next_url("/" + "a" * NEXT_URL_LENGTH + "?x=1") is None


def test_a_redirect_too_long_to_keep_does_not_fail_the_submit(app, client, login, web_stock):
    login(web_stock.staff)
    html = form_page(client, "/stock/outreach")
    once = token_of(html)
    hostile = "é" + "\u0301" * 40  # what the fuzz test sent: each combining accent is %CC%81
    response = client.post("/stock/outreach/bags", data={
        "once": once, "activity_kind": hostile, "from_location_id": "1", "shift_id": "", "name": "0001-01"})
    assert response.status_code == 302
    assert len(response.location) > NEXT_URL_LENGTH
    with app.app_context():
        kept = db.session.scalar(sa.select(FormToken.next_url).where(FormToken.token == once))
    assert kept is not None and "?" not in kept and kept.endswith("/stock/outreach")
