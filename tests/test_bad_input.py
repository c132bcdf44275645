"""Bad input by cause, each answered at the boundary with a message or a 4xx, never a 500
(the fuzz test walks everything; these name the causes the attack found)."""
from __future__ import annotations

import pytest

from tests.shifts import helpers as h


@pytest.mark.parametrize("url", ["/shifts/2147483648", "/shifts/9223372036854775808", "/stock/items/2147483648",
                                 "/shifts/2147483648/kit", "/admin/users/99999999999999999999"])
def test_ids_beyond_the_database_range_are_not_found(client, login, url):
    login("admin")
    assert client.get(url).status_code == 404


def test_a_nul_byte_anywhere_is_refused(client, login):
    r = client.post("/apply", data={"full_name": "Ada", "email": "ada@example.org", "motivation": "a\x00b"})
    assert r.status_code == 400
    assert client.post("/login", data={"email": "a\x00@example.org", "password": "x"}).status_code == 400
    login("volunteer")
    assert client.get("/shifts/open?start=2026\x00-12-01").status_code == 400


@pytest.mark.parametrize("url", ["/shifts/calendar/week?start=0001-01-01", "/shifts/calendar/month?month=9999-12",
                                 "/shifts/open?start=0001-01-01", "/shifts/open?start=9999-12-31&end=0001-01-01",
                                 "/shifts/calendar/month?month=0001-01", "/shifts/calendar/week?start=2026-02-30"])
def test_dates_out_of_range_fall_back_to_today(client, login, url):
    login("volunteer")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("query", ["from_location_id=abc", "from_location_id=²", "product_group_id=x",
                                   "shift_id=2147483648", "bag_location_id=-1&from_location_id=1e30"])
def test_unchecked_numbers_in_query_strings(client, login, query):
    login("staff")
    assert client.get(f"/stock/outreach?{query}").status_code == 200


def test_superscript_digits_are_not_numbers(client, login):
    login("coordinator")
    assert client.get("/admin/volunteers?qualification=²").status_code == 200
    assert client.get("/shifts/new?activity=²").status_code == 200
    # The monthly pattern's weeks ("2,4"): a superscript two is not a week (the fuzz walk found it).
    assert client.get("/distributions/plan?first=²").status_code == 200
    assert client.get("/distributions/plan?first=2,²,-1").status_code == 200


def test_activity_numbers_beyond_sense_get_a_message(client, login, app):
    login("coordinator")
    base = {"name": "Hotline", "kind": "hotline", "colour": "blue", "capacity_min": "1", "capacity_max": "2",
            "cancel_cutoff_hours": "24", "signup_opens_days": "30", "is_active": "y"}
    for field, value, words in [("cancel_cutoff_hours", "2000000000", "at most"),
                                ("capacity_max", "2000000000", "at most"),
                                ("signup_opens_days", "2000000000", "at most"),
                                ("capacity_max", "99999999999999999999", "Enter a number from"),
                                ("capacity_min", "1e30", "whole number")]:
        r = client.post("/shifts/activities/new", data={**base, field: value})
        assert r.status_code == 422 and words in r.get_data(as_text=True), (field, value)


def test_attendance_hours_that_are_not_numbers(client, login, app):
    from logistics.extensions import db
    from logistics.shifts import signups
    from tests import factories

    with app.app_context():
        v = factories.user()
        shift = h.shift(in_days=-2)
        db.session.commit()
        shift_id = shift.id
        signup = signups.assign(db.session, db.session.get(type(shift), shift_id), v, by=factories.user("admin"),
                                over_capacity=True)
        db.session.commit()
        signup_id = signup.id
    login("coordinator")
    for hours in ("NaN", "inf", "1e30"):
        r = client.post(f"/shifts/{shift_id}/attendance", data={"rows-0-signup_id": signup_id,
                                                                "rows-0-attended": "y", "rows-0-hours": hours})
        assert r.status_code == 422, hours


def test_a_huge_item_in_a_prefilled_link(client, login):
    login("coordinator")  # adjusting stock is for coordinators
    for url in ("/stock/issue?item_id=99999999999999999999", "/stock/discard?item_id=2147483648&lot_id=-1",
                "/stock/transfer?item_id=abc", "/stock/adjust?item_id=²"):
        assert client.get(url).status_code == 200, url
