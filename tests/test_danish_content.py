"""Content in both languages: activities, places, stock items and locations may have a Danish
name (and an activity a Danish briefing), shown on Danish pages and falling back to the first
name; the forms edit both; the demo data loads in Danish on request."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.cli import default_demo_language
from logistics.extensions import db
from logistics.people.models import User
from logistics.shifts.models import Activity, Place
from logistics.stock.models import Item, Location
from tests.shifts import helpers as h


def test_a_danish_page_shows_the_danish_name_and_falls_back_to_the_first(app, client, login):
    with app.app_context():
        named = h.activity("street_outreach", name="Street outreach")
        named.name_da, named.briefing_da = "Opsøgende arbejde", "Mød op på kontoret."
        plain = h.activity("packing", name="Packing day")
        where = h.place("Red-light area, Vesterbro")
        where.name_da = "Prostitutionsmiljøet på Vesterbro"
        shift = h.shift(named, place_=where)
        other = h.shift(plain, in_days=4)
        db.session.commit()
        shift_id, other_id = shift.id, other.id
    user = login("volunteer", locale="da")
    html = client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    assert "Opsøgende arbejde" in html and "Street outreach" not in html
    assert "Mød op på kontoret." in html and "Bring water." not in html
    assert "Prostitutionsmiljøet på Vesterbro" in html and "Red-light area" not in html
    assert "Packing day" in client.get(f"/shifts/{other_id}").get_data(as_text=True)  # no Danish name: the first
    with app.app_context():
        db.session.get(User, user.id).locale = "en"
        db.session.commit()
    html = client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    assert "Street outreach" in html and "Opsøgende arbejde" not in html and "Bring water." in html


def test_sql_and_writes_use_the_first_name(app_ctx):
    act = h.activity("packing", name="Packing day")
    act.name_da = "Pakkedag"
    db.session.flush()
    assert db.session.scalar(sa.select(Activity).where(Activity.name == "Packing day")) is act
    assert db.session.scalar(sa.select(Activity.name).where(Activity.id == act.id)) == "Packing day"
    act.name = "Packing evening"
    assert act.name_en == "Packing evening" and act.name_da == "Pakkedag"
    assert act.name == "Packing evening"  # no request: the first name


def test_a_coordinator_names_an_activity_and_a_place_in_danish(app, client, login):
    with app.app_context():
        act = h.activity("packing", name="Packing day")
        act.name_da = "Pakkedag"
        where = h.place("Office")
        db.session.commit()
        act_id, place_id = act.id, where.id
    login("coordinator", locale="da")
    form = client.get(f"/shifts/activities/{act_id}").get_data(as_text=True)
    assert 'value="Packing day"' in form and 'value="Pakkedag"' in form  # the form edits the stored names
    response = client.post(f"/shifts/activities/{act_id}", data={
        "name": "Packing day", "name_da": "Pakning om aftenen", "kind": "packing", "colour": "teal",
        "briefing": "Bring water.", "briefing_da": "Tag vand med.", "capacity_min": "1", "capacity_max": "5",
        "cancel_cutoff_hours": "24", "signup_opens_days": "56", "is_active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(f"/shifts/places/{place_id}", data={
        "name": "Office", "name_da": "Kontoret", "address": "Nørrebrogade 1", "kind": "office", "is_active": "y"})
    assert response.status_code == 302
    with app.app_context():
        act = db.session.get(Activity, act_id)
        assert (act.name_en, act.name_da, act.briefing_en, act.briefing_da) == (
            "Packing day", "Pakning om aftenen", "Bring water.", "Tag vand med.")
        assert db.session.get(Place, place_id).name_da == "Kontoret"
        changes = db.session.scalars(sa.select(AuditEntry.changes).where(AuditEntry.action == "activity.changed")).all()
        assert changes == [{"name_da": ["Pakkedag", "Pakning om aftenen"], "briefing_da": [None, "Tag vand med."]}]


def test_a_danish_name_is_optional_and_can_be_removed(app, client, login):
    with app.app_context():
        where = h.place("Office")
        where.name_da = "Kontoret"
        db.session.commit()
        place_id = where.id
    login("coordinator", locale="da")
    client.post(f"/shifts/places/{place_id}", data={"name": "Office", "name_da": "", "address": "",
                                                    "kind": "office", "is_active": "y"})
    with app.app_context():
        assert db.session.get(Place, place_id).name_da is None


def test_staff_name_a_stock_item_and_a_location_in_danish(app, client, login):
    login("coordinator", locale="da")
    response = client.post("/stock/items/new", data={"name": "Winter hat", "name_da": "Vinterhue", "category": "other",
                                                     "unit": "piece", "fit": "", "product_group_id": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post("/stock/locations/new", data={"name": "Cellar", "name_da": "Kælder", "is_active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.name == "Winter hat"))
        assert item.name_da == "Vinterhue"
        assert db.session.scalar(sa.select(Location).where(Location.name == "Cellar")).name_da == "Kælder"
        item_id = item.id
    html = client.get(f"/stock/items/{item_id}/edit").get_data(as_text=True)
    assert 'value="Winter hat"' in html and 'value="Vinterhue"' in html
    assert "Vinterhue" in client.get("/stock/").get_data(as_text=True)


def test_the_demo_loads_in_danish(app, client, auth):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--language", "da"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        volunteer = db.session.scalar(sa.select(User).where(User.email == "volunteer@hopenow.example"))
        assert volunteer.locale == "da"
        for model in (Activity, Item, Location):
            unnamed = sa.select(sa.func.count()).select_from(model).where(model.name_da.is_(None))
            assert db.session.scalar(unnamed) == 0, model
    auth.login(volunteer, password="demo-volunteer-pass")
    html = client.get("/shifts/open").get_data(as_text=True)
    assert "Opsøgende arbejde" in html or "Hotline" in html
    assert "Street outreach" not in html and "Food pack distribution" not in html


def test_the_demo_language_comes_from_the_environment(monkeypatch):
    for name in ("DEMO_LANGUAGE", "LANG", "LC_ALL"):
        monkeypatch.delenv(name, raising=False)
    assert default_demo_language() == "en"
    monkeypatch.setenv("LANG", "da_DK.UTF-8")
    assert default_demo_language() == "da"
    monkeypatch.setenv("DEMO_LANGUAGE", "en")
    assert default_demo_language() == "en"
    monkeypatch.setenv("DEMO_LANGUAGE", "da")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert default_demo_language() == "da"


def test_a_qualification_is_named_in_danish_on_a_danish_page(app_ctx):
    from logistics.people.models import Qualification

    qual = Qualification(code="x", name_en="First aid", name_da="Førstehjælp")
    assert [qual.name(locale) for locale in ("da", "da_DK", "en", "en_GB")] == [
        "Førstehjælp", "Førstehjælp", "First aid", "First aid"]


def test_lists_are_in_the_order_of_the_names_a_page_shows(app):
    from logistics.shifts import queries

    with app.app_context():
        first, second = h.activity("packing", name="Apple picking"), h.activity("packing", name="Zoo visit")
        first.name_da, second.name_da = "Plukning af æbler", "Besøg i zoo"
        db.session.commit()
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        assert [a.name for a in queries.activities(db.session)] == ["Besøg i zoo", "Plukning af æbler"]
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert [a.name for a in queries.activities(db.session)] == ["Apple picking", "Zoo visit"]


def test_lists_are_ordered_by_the_name_shown_in_each_language(app, client, login):
    """The lists' statements are built once per page language: the same process orders by
    the English names on an English page and by the Danish ones on a Danish page."""
    with app.app_context():
        # English: Apple before Zebra; Danish: Zebra's "Abe" before Apple's "Æble".
        h.activity("packing", name="Apple packing").name_da = "Æblepakning"
        h.activity("packing", name="Zebra packing").name_da = "Abepakning"
        db.session.commit()
    user = login("coordinator", locale="en")
    english = client.get("/shifts/activities").get_data(as_text=True)
    assert english.index("Apple packing") < english.index("Zebra packing")
    with app.app_context():
        db.session.get(User, user.id).locale = "da"
        db.session.commit()
    danish = client.get("/shifts/activities").get_data(as_text=True)
    assert danish.index("Abepakning") < danish.index("Æblepakning")
    with app.app_context():
        db.session.get(User, user.id).locale = "en"
        db.session.commit()
    again = client.get("/shifts/activities").get_data(as_text=True)
    assert again.index("Apple packing") < again.index("Zebra packing")
