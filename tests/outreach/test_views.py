"""The outreach pages: the phone flow (back safe, tally, bag return), who may see a shift's
tally, the coordinators' not-back page and clearing, missing tallies, partners; bad input."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logistics.extensions import db
from logistics.outreach.models import Checkout, Tally
from tests import factories
from tests.outreach.helpers import ended_shift, seeded_partners


def _setup(app, kind="street_outreach", **kw):
    with app.app_context():
        shift, members = ended_shift(kind, **kw)
        partners = seeded_partners()
        db.session.commit()
        return shift.id, members, {code: p.id for code, p in partners.items()}


def test_the_start_page_asks_how_it_went_and_the_flow_records_it(app, client, login):
    shift_id, (a, _b), partners = _setup(app)
    login(a)
    home = client.get("/").get_data(as_text=True)
    assert "How did it go?" in home and f"/outreach/shifts/{shift_id}" in home
    page = client.get(f"/outreach/shifts/{shift_id}").get_data(as_text=True)
    assert "I'm back safe" in page
    assert ('<p class="help help-no-names" id="note-help">No names, no identifying details: nothing that could '
            'tell who someone is.</p>') in page and 'aria-describedby="note-help"' in page
    assert client.post(f"/outreach/shifts/{shift_id}/back-safe").status_code == 302
    r = client.post(f"/outreach/shifts/{shift_id}/tally",
                    data={"women": "3", "men": "1", "transgender": "0", "not_stated": "1", "new_contacts": "2",
                          f"partner-{partners['reden']}": "1", "note": "Quiet evening"})
    assert r.status_code == 302
    with app.app_context():
        tally = db.session.scalars(sa.select(Tally)).one()
        assert (tally.contacts, tally.new_contacts, [r.count for r in tally.referrals]) == (5, 2, [1])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1
    assert "Tally to fill in" not in client.get("/").get_data(as_text=True)


def test_bad_tally_input_gets_a_message_and_saves_nothing(app, client, login):
    shift_id, (a, _b), partners = _setup(app)
    login(a)
    for data, words in [({"women": "-2"}, "Enter a number from 0"),
                        ({"women": "1", "new_contacts": "3"}, "New contacts cannot be more"),
                        ({"women": "1", f"partner-{partners['cmm']}": "-1"}, "Referrals: enter a whole number"),
                        ({"women": "abc"}, "Enter a whole number"),
                        # A hostile field name: "²" is a digit to str.isdigit(), not to int().
                        ({"women": "abc", "partner-²": "1"}, "Enter a whole number")]:
        r = client.post(f"/outreach/shifts/{shift_id}/tally", data=data)
        assert r.status_code == 422 and words in r.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tally)) == 0


def test_a_tally_before_the_end_is_refused(app, client, login):
    shift_id, (a, _b), _p = _setup(app, ended_ago=dt.timedelta(hours=-2))
    login(a)
    r = client.post(f"/outreach/shifts/{shift_id}/tally", data={"women": "1"})
    assert r.status_code == 422 and "opens when the shift has ended" in r.get_data(as_text=True)


def test_volunteers_never_see_tallies_of_shifts_they_were_not_on(app, client, login):
    shift_id, _members, _p = _setup(app)
    login("volunteer")
    assert client.get(f"/outreach/shifts/{shift_id}").status_code == 403
    assert client.post(f"/outreach/shifts/{shift_id}/tally", data={"women": "1"}).status_code == 403
    r = client.post(f"/outreach/shifts/{shift_id}/back-safe")
    assert r.status_code == 403 and "You are not on this shift" in r.get_data(as_text=True)


def test_staff_see_any_tally(app, client, login):
    shift_id, _members, _p = _setup(app)
    login("staff")
    assert client.get(f"/outreach/shifts/{shift_id}").status_code == 200


def test_coordinators_see_who_is_not_back_and_clear_with_a_reason(app, client, login):
    with app.app_context():
        a = factories.user(full_name="Amara Late", phone="+4512345678")
        db.session.commit()
    shift_id, _members, _p = _setup(app, members=[a])
    login("coordinator")
    assert "Amara" in client.get("/shifts/staffing").get_data(as_text=True)
    assert "not-back" in client.get("/shifts/coverage").get_data(as_text=True)
    page = client.get("/outreach/not-back").get_data(as_text=True)
    assert "Amara Late" in page and "+4512345678" in page
    r = client.post(f"/outreach/shifts/{shift_id}/clear/{a.id}", data={"reason": ""})
    assert r.status_code == 422
    r = client.post(f"/outreach/shifts/{shift_id}/clear/{a.id}", data={"reason": "Called, she is home"})
    assert r.status_code == 302
    assert "Everyone is back safe" in client.get("/outreach/not-back").get_data(as_text=True)


def test_missing_tallies_and_partners(app, client, login):
    shift_id, _members, _p = _setup(app, "hotline", ended_ago=dt.timedelta(days=3))
    login("coordinator")
    assert "1</strong> shift has no tally" in client.get("/").get_data(as_text=True)
    assert f"/outreach/shifts/{shift_id}" in client.get("/outreach/missing-tallies").get_data(as_text=True)
    assert "Reden International" in client.get("/outreach/partners").get_data(as_text=True)
    assert client.post("/outreach/partners", data={"name": "Night shelter", "position": "60"}).status_code == 302
    assert client.post("/outreach/partners", data={"name": "night shelter"}).status_code == 409
    assert "Night shelter" in client.get("/outreach/partners").get_data(as_text=True)


def test_the_bag_return_in_the_same_flow(app, client, login):
    import re

    from logistics import clock
    from logistics.stock import kits
    from logistics.stock.models import Outreach
    from tests.stock.conftest import build_link

    with app.app_context():
        s = build_link()
        kits.pack_bag(db.session, from_location=s.storeroom, bag=s.bag, shift=s.shift, by=s.staff)
        db.session.commit()
        shift_id, ends_at, volunteer = s.shift.id, s.shift.ends_at, s.volunteer
    clock.freeze(ends_at + dt.timedelta(minutes=10))
    login(volunteer)
    assert "Bag to return" in client.get("/").get_data(as_text=True)
    page = client.get(f"/outreach/shifts/{shift_id}").get_data(as_text=True)
    assert "Bag return" in page and "Record the return" in page
    fields = dict(re.findall(r'name="(lines-\d+-(?:item_id|quantity))"[^>]*value="([^"]*)"', page))
    fields.update({k: "0" for k in fields if k.endswith("quantity")})  # everything handed out
    r = client.post(f"/outreach/shifts/{shift_id}/bag", data=fields)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(Outreach)).one().returned_by_id == volunteer.id
    assert "Bag to return" not in client.get("/").get_data(as_text=True)


def test_query_counts_do_not_grow(app, client, login, queries):
    def grow(n):
        with app.app_context():
            for _ in range(n):
                ended_shift(ended_ago=dt.timedelta(hours=2), people=3)
                ended_shift("prison_visit", ended_ago=dt.timedelta(days=4))
            db.session.commit()

    login("coordinator")
    grow(1)
    for url in ("/outreach/not-back", "/outreach/missing-tallies", "/outreach/partners", "/reports/hours"):
        client.get(url)
        with queries() as few:
            assert client.get(url).status_code == 200
        grow(5)
        with queries() as many:
            assert client.get(url).status_code == 200
        assert many.count == few.count, (url, [s[:100] for s in many.statements])


def test_the_list_of_missing_tallies_says_how_many_there_are_beyond_it(app, client, login, monkeypatch):
    """The list shows the most recent (200); when more wait, it says so, with the number the
    start page shows."""
    from blueprints.outreach import coordination

    monkeypatch.setattr(coordination, "MISSING_PAGE", 2)
    for days in (3, 4, 5):
        _setup(app, "hotline", ended_ago=dt.timedelta(days=days))
    login("coordinator")
    assert "3</strong> shifts have no tally" in client.get("/").get_data(as_text=True)
    page = client.get("/outreach/missing-tallies").get_data(as_text=True)
    assert "The 2 most recent of 3." in page and page.count("/outreach/shifts/") == 2
    monkeypatch.setattr(coordination, "MISSING_PAGE", 200)
    assert "most recent of" not in client.get("/outreach/missing-tallies").get_data(as_text=True)
