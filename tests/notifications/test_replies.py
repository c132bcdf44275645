"""One-tap replies from the last reminder and "I'll take it" from a cover request: signed
links without login; tampered, used or expired links get a clear page, never a 500."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.notifications.models import Reply
from logistics.shifts import planning, signups
from logistics.shifts.models import Shift, Signup, SignupStatus
from tests import factories
from tests.conftest import local_instant
from tests.shifts import helpers as h


def _reminder_links(app, sweep, mailbox, *, cutoff=24, waiting=False, email="rep@example.org"):
    """A volunteer on a shift 18:00 on 5 Dec; the clock at its 24 h reminder; the links."""
    start = local_instant("2026-12-05T18:00")
    clock.freeze(start - dt.timedelta(days=6))
    with app.app_context():
        v = factories.user(email=email)
        shift = h.shift(h.activity(name="Packing", cutoff=cutoff), start=start, capacity=(1, 1))
        signups.sign_up(db.session, shift, v, by=v)
        if waiting:
            w = factories.user(email="wait@example.org")
            signups.sign_up(db.session, shift, w, by=w)
        db.session.commit()
        ids = {"shift": shift.id, "user": v.id}
    clock.freeze(start - dt.timedelta(hours=24))
    sweep()
    msg = next(m for m in mailbox.to(email) if str(m["Subject"]).startswith("Reminder"))
    body = mailbox.body(msg)
    ids["coming"] = re.search(r"http://localhost(/reply/coming/\S+)", body).group(1)
    ids["cannot"] = re.search(r"http://localhost(/reply/cannot/\S+)", body).group(1)
    return ids


def test_coming_without_login(app, client, sweep, mailbox):
    ids = _reminder_links(app, sweep, mailbox)
    page = client.get(ids["coming"])
    assert page.status_code == 200 and b"Yes, I&#39;m coming" in page.data
    done = client.post(ids["coming"])
    assert done.status_code == 200 and b"The coordinators see that you are coming" in done.data
    again = client.post(ids["coming"])  # used twice: the same kind answer
    assert again.status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(Reply)).one().answer == "coming"


def test_coming_shows_to_coordinators_on_the_shift_page(app, client, login, sweep, mailbox):
    ids = _reminder_links(app, sweep, mailbox)
    client.post(ids["coming"])
    login("coordinator")
    page = client.get(f"/shifts/{ids['shift']}")
    assert page.status_code == 200 and b"Said they are coming" in page.data


def test_cannot_before_the_cutoff_cancels_and_promotes(app, client, sweep, mailbox):
    ids = _reminder_links(app, sweep, mailbox, cutoff=12, waiting=True)
    assert b"Cancel my place" in client.get(ids["cannot"]).data
    r = client.post(ids["cannot"])
    assert r.status_code == 200 and b"Your place is cancelled" in r.data
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Signup.user_id, Signup.status)).all())
        assert statuses[ids["user"]] == SignupStatus.CANCELLED
        assert SignupStatus.CONFIRMED in statuses.values()  # the waitlisted person moved up
    sweep()
    assert any(str(m["Subject"]).startswith("A place opened") for m in mailbox.to("wait@example.org"))
    twice = client.post(ids["cannot"])
    assert twice.status_code == 200 and b"no longer on this shift" in twice.data


def test_cannot_after_the_cutoff_files_a_request_and_tells_coordinators(app, client, sweep, mailbox):
    with app.app_context():
        factories.user("coordinator", email="coord@example.org")
        db.session.commit()
    ids = _reminder_links(app, sweep, mailbox, cutoff=48)
    assert b"Tell the coordinators" in client.get(ids["cannot"]).data
    r = client.post(ids["cannot"])
    assert r.status_code == 200 and b"The coordinators are told" in r.data
    with app.app_context():
        signup = db.session.scalar(sa.select(Signup).where(Signup.user_id == ids["user"]))
        assert signup.status == SignupStatus.CONFIRMED and signup.cancel_requested_at is not None
    sweep()
    told = mailbox.to("coord@example.org")
    assert told and str(told[0]["Subject"]).startswith("Can't make it")
    again = client.post(ids["cannot"])
    assert b"already asked" in again.data


def test_links_expire_when_the_shift_starts(app, client, sweep, mailbox):
    ids = _reminder_links(app, sweep, mailbox)
    clock.freeze(local_instant("2026-12-05T18:00"))
    r = client.post(ids["coming"])
    assert r.status_code == 200 and b"expired" in r.data


@pytest.mark.parametrize("mangle", [
    lambda p: p[:-3] + "abc",                       # tampered signature
    lambda p: p.replace("/coming/", "/cannot/"),    # a "coming" token used as "cannot"
    lambda p: p.replace("/coming/", "/other/"),     # an unknown answer
    lambda p: "/reply/coming/" + "A" * 600,         # absurdly long
    lambda p: "/reply/coming/%00",                  # a NUL byte
])
def test_bad_links_get_a_clear_page(app, client, sweep, mailbox, mangle):
    ids = _reminder_links(app, sweep, mailbox)
    for method in (client.get, client.post):
        r = method(mangle(ids["coming"]))
        assert r.status_code in (400, 404), r.status_code
        assert r.status_code == 400 or b"This link does not work" in r.data


def test_cover_request_one_click_take_and_filled_gap(app, client, sweep, mailbox):
    with app.app_context():
        coordinator = factories.user("coordinator", email="coord@example.org")
        a = factories.user(email="anna@example.org")
        b = factories.user(email="bo@example.org")
        on_it = factories.user(email="on.it@example.org")
        act = h.activity(name="Packing")
        shift = h.shift(act, in_days=2, capacity=(2, 2))
        signups.sign_up(db.session, shift, on_it, by=on_it)
        planning.request_cover(db.session, activity=act, starts_at=shift.starts_at, ends_at=shift.ends_at,
                               note="Please!", by=coordinator)
        db.session.commit()
        shift_id = shift.id
        assert a and b
    sweep()
    assert not [m for m in mailbox.to("on.it@example.org") if "cover" in str(m["Subject"])]
    links = {}
    for who in ("anna@example.org", "bo@example.org"):
        msg = next(m for m in mailbox.to(who) if str(m["Subject"]).startswith("Can you cover"))
        links[who] = re.search(r"http://localhost(/cover/\S+)", mailbox.body(msg)).group(1)
    assert b"I&#39;ll take it" in client.get(links["anna@example.org"]).data
    r = client.post(links["anna@example.org"])
    assert r.status_code == 200 and b"You are signed up" in r.data
    late = client.post(links["bo@example.org"])
    assert late.status_code == 200 and b"already taken" in late.data
    with app.app_context():
        assert db.session.get(Shift, shift_id).confirmed_count == 2
    bad = client.get(links["bo@example.org"][:-2] + "xx")
    assert bad.status_code == 404 and b"This link does not work" in bad.data


def test_reply_and_cover_tokens_are_redacted_from_logs():
    from logistics.logs import redact

    line = '127.0.0.1 - - "POST /reply/coming/WzEsMiwzXQ.abc-def_123 HTTP/1.1" 200 - "GET /cover/WzEsMl0.x_y-z"'
    cleaned = redact(line)
    assert "WzEsMiwzXQ" not in cleaned and "WzEsMl0" not in cleaned
    assert "/reply/coming/[redacted]" in cleaned and "/cover/[redacted]" in cleaned


def test_coming_shows_as_confirmed_on_the_staffing_page_and_the_coverage_board(app, client, login):
    """A hotline shift tomorrow needing 3 with 2 confirmed, one of whom answered "I'm coming"."""
    with app.app_context():
        start = h.local(2026, 11, 26, 10)
        shift = h.shift(h.activity("hotline", name="Hotline"), start=start, hours=4, capacity=(3, 4))
        a, b = factories.user(full_name="Ama Coming"), factories.user(full_name="Bo Silent")
        rows = [Signup(shift_id=shift.id, user_id=u.id, status=SignupStatus.CONFIRMED) for u in (a, b)]
        db.session.add_all(rows)
        shift.confirmed_count = 2
        db.session.flush()
        db.session.add(Reply(signup_id=rows[0].id, answer="coming"))
        db.session.commit()
    login("coordinator")
    staffing = client.get("/shifts/staffing").get_data(as_text=True)
    assert "1 said they are coming" in staffing
    board = client.get("/shifts/coverage").get_data(as_text=True)
    # 10:00–13:00 tomorrow: 2 confirmed, 1 of them said so (a mark, and words for screen readers).
    assert board.count('2<span class="cov-coming" aria-hidden="true">✓</span>') == 4
    assert board.count("(1 said they are coming)") == 4
