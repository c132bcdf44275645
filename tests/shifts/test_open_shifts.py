"""Open shifts read by date: grouped by day, soonest first, the shifts that need people marked,
and an activity and hidden kinds the volunteer chose remembered (here and on another device)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from logistics.extensions import db
from logistics.shifts import filters, signups
from logistics.shifts.models import Activity, ShiftFilter
from tests import factories
from tests.conftest import Auth
from tests.shifts import helpers as h
from tests.shifts.helpers import get_user


def _days(html: str) -> list[str]:
    return re.findall(r'<h2 class="day-title" id="day-([\d-]+)"', html)


def test_open_shifts_by_day_soonest_first_needing_ones_marked(app, client, login, setup):
    with app.app_context():
        packing = db.session.get(Activity, setup["packing"])
        late = h.shift(packing, in_days=20, capacity=(1, 4))  # needs people, but later
        full = h.shift(packing, in_days=1, capacity=(1, 1))
        other = factories.user()
        signups.sign_up(db.session, full, other, by=other)
        ids = late.id, full.id
        db.session.commit()
    login(get_user(app, setup["v"]))
    html = client.get("/shifts/open").get_data(as_text=True)
    days = _days(html)
    assert days == sorted(days) and len(days) == len(set(days)) >= 4
    listed = [int(i) for i in re.findall(r'action="/shifts/(\d+)/signup"', html)]
    assert listed.index(ids[1]) < listed.index(ids[0])  # by date, not by need
    def item(shift_id):
        end = html.index(f'action="/shifts/{shift_id}/signup"')
        return html[:end].rsplit('<li class="shift-item', 1)[1]

    assert "needs-people" in item(ids[0]) and "needs-people" not in item(ids[1])


def test_the_activity_and_hidden_kinds_are_remembered(app, client, login, setup, make_client):
    vera = get_user(app, setup["v"])
    login(vera)
    r = client.get("/shifts/open", query_string={"filter": "1", "activity": "0", "hide": ["hotline"]})
    listing = r.get_data(as_text=True).split("</details>", 1)[1]
    assert "Hidden: Hotline." in listing and 'class="shift-title">Hotline' not in listing
    assert 'class="shift-title">Packing food packs' in listing
    # Coming back (any device): the same choice, until changed.
    other = make_client()
    Auth(other).login(vera)
    again = other.get("/shifts/open").get_data(as_text=True)
    assert "Hidden: Hotline." in again and re.search(r'<input[^>]*checked[^>]*value="hotline"', again)
    assert 'class="shift-title">Hotline' not in again.split("</details>", 1)[1]
    with app.app_context():
        row = db.session.get(ShiftFilter, vera.id)
        assert row.hidden_kinds == ["hotline"] and row.open_activity_id is None
    # An activity chosen by a link is remembered too; the hidden kinds stay.
    r = client.get(f"/shifts/open?activity={setup['packing']}")
    with app.app_context():
        row = db.session.get(ShiftFilter, vera.id)
        assert row.open_activity_id == setup["packing"] and row.hidden_kinds == ["hotline"]
    # Showing all kinds again forgets the hidden ones.
    client.get("/shifts/open", query_string={"filter": "1", "activity": "0"})
    with app.app_context():
        row = db.session.get(ShiftFilter, vera.id)
        assert row.hidden_kinds == [] and row.open_activity_id is None


def test_filters_are_in_the_data_export_and_go_on_erasure(session, setup):
    from logistics.people.models import User

    vera = session.get(User, setup["v"])
    filters.remember(session, vera, calendar_activity_id=setup["packing"], hidden_kinds=["hotline", "nonsense"])
    assert filters.export(session, vera) == {"calendar_activity": "Packing food packs", "open_shifts_activity": None,
                                             "hidden_kinds": ["hotline"]}
    filters.forget(session, vera)
    assert session.scalar(sa.select(ShiftFilter)) is None and filters.of(session, vera).hidden_kinds == []
