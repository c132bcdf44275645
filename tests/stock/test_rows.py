"""The ledger's movement table (blueprints/stock/rows.py), drawn in Python: every kind of
movement with its words, links and people's text escaped, in both languages."""
from __future__ import annotations

import pytest
from flask import g
from flask_babel import refresh

from blueprints.stock.rows import movement_table, overview_rows
from logistics.extensions import db
from logistics.stock import ledger
from logistics.stock.queries.ledger import movement_options
from tests.stock.conftest import build_stock, make_location, receive


@pytest.mark.parametrize("language", ["en", "da"])
def test_every_kind_of_movement_in_the_table(app, language):
    with app.app_context():
        s = build_stock()
        evil = make_location("<b>Loft</b> & co")
        received = receive(s, s.soap, 10, code="<i>L1</i>", source_name="Kirkens <Korshær>")
        ledger.transfer(db.session, item=s.soap, quantity=2, from_location=s.storeroom, to_location=evil, by=s.staff)
        ledger.issue(db.session, item=s.soap, quantity=1, location=s.storeroom, reason="hand_out",
                     reference=("outreach", 77), by=s.staff)
        ledger.issue(db.session, item=s.soap, quantity=1, location=s.storeroom, reason="other",
                     reference=("<cook>", 5), by=s.staff)
        ledger.adjust(db.session, item=s.soap, quantity=1, location=s.storeroom, lot=None, increase=False,
                      reason="<script>alert(1)</script>", by=s.coordinator)
        extra = receive(s, s.soap, 3)
        back = ledger.undo(db.session, extra, by=s.coordinator)
        db.session.commit()
        import sqlalchemy as sa

        from logistics.stock.models import Movement
        movements = list(db.session.scalars(movement_options(sa.select(Movement).order_by(Movement.id))))
        with app.test_request_context():
            g._login_user = s.coordinator
            g.locale_override = language  # as the language switch sets it
            refresh()  # the app context's language was chosen before this request (English)
            html = str(movement_table(movements, show_item=True, undo=True))
    danish = language == "da"
    assert html.count("<tr>") == len(movements) + 1  # the head and a row each
    # People's text is escaped: names, lot codes, sources, free-text reasons, references.
    for raw in ("<b>Loft</b>", "<i>L1</i>", "<Korshær>", "<script>", "<cook>"):
        assert raw not in html
    assert "&lt;b&gt;Loft&lt;/b&gt; &amp; co" in html and "&lt;i&gt;L1&lt;/i&gt;" in html
    assert "Kirkens &lt;Korshær&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "(&lt;cook&gt; 5)" in html
    # Links: the item, the lot, the outreach trip, and undo for all but the undo itself.
    assert f'href="/stock/items/{s.soap.id}"' in html and f'href="/stock/lots/{received.lot_id}"' in html
    assert 'href="/stock/outreach/77"' in html
    assert html.count('href="/stock/movements/') == len(movements) - 1
    assert f'href="/stock/movements/{back.id}/undo"' not in html
    # Words in the page's language (column labels, kinds, reasons, "undoes").
    for en, da in (("When", "Hvornår"), ("Received", "Modtaget"), ("Moved", "Flyttet"), ("Undo", "Tilbagefør"),
                   (f"undoes {extra.id}", f"tilbagefører {extra.id}")):
        assert (da if danish else en) in html, (da if danish else en)
    assert ('data-label="Hvornår"' if danish else 'data-label="When"') in html


def test_without_item_and_undo_columns(app):
    with app.app_context():
        s = build_stock()
        receive(s, s.soap, 3)
        db.session.commit()
        import sqlalchemy as sa

        from logistics.stock.models import Movement
        movements = list(db.session.scalars(movement_options(sa.select(Movement))))
        with app.test_request_context():
            html = str(movement_table(movements))
    assert 'data-label="Item"' not in html and "Undo" not in html and "Actions" not in html
    assert html.count("<td") == 8  # when, what, quantity, lot, from, to, reason, by


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_overview_rows(app, language):
    import datetime as dt
    from decimal import Decimal

    from logistics.clock import today
    from logistics.stock.queries.ledger import overview
    from tests.stock.conftest import make_item

    with app.app_context():
        s = build_stock()
        shirt = make_item("T-shirt <b>", "clothing", expiry=False, size="<M>", fit="women", by=s.staff)
        shirt.min_level = Decimal(5)
        receive(s, shirt, 2)  # below its minimum
        receive(s, s.pills, 4, days=3)  # expires within the warning days
        receive(s, s.rice, 1)
        db.session.commit()
        rows, _total = overview(db.session)
        with app.test_request_context():
            g._login_user = s.staff
            g.locale_override = language
            refresh()
            html = str(overview_rows(rows, today(), today().toordinal() + 7))
    danish = language == "da"
    assert html.count("<tbody>") == len({r.item.category for r in rows})  # a group per category
    assert html.count('class="group-row"') == html.count("<tbody>")
    assert "T-shirt &lt;b&gt;" in html and "&lt;M&gt;" in html and "<b>" not in html
    assert ("Under minimum" if danish else "Below minimum") in html  # the shirt
    assert 'class="badge">' + ("Ingen" if danish else "None") in html  # soap: none on hand
    soon = (today() + dt.timedelta(days=3))
    assert '<span class="badge badge-warn">' in html and str(soon.day) in html
    assert f'href="/stock/items/{shirt.id}"' in html
    assert ("Tøj" if danish else "Clothing") in html
