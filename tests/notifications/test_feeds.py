"""Calendar feeds: tokens, the window, the bytes (CRLF, folding at 75 octets between whole
UTF-8 characters), parsed back by icalendar under another TZ and on the daylight-saving
days, ETag → 304, revocation, privacy, the CLI and one shift's .ics."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from icalendar import Calendar

from logistics import clock
from logistics.extensions import db
from logistics.logs import redact
from logistics.notifications import feeds
from logistics.notifications.models import CalendarFeed
from logistics.shifts import planning, signups
from logistics.shifts.models import Shift
from tests import factories
from tests.conftest import local_instant
from tests.shifts import helpers as h

LONG_NAME = "Fællesspisning på kontoret — æøå ÆØÅ 🍲 med ekstra lang beskrivelse"


@pytest.fixture
def world(app):
    """A volunteer on three shifts (one discreet, one with a long non-ASCII name), another
    volunteer on the same shift, a cancelled shift, and shifts at the window's edges."""
    with app.app_context():
        v = factories.user(full_name="Vera Volunteer", email="vera@example.org")
        other = factories.user(full_name="Olga Otherperson")
        coordinator = factories.user("coordinator")
        cook = h.activity("communal_cooking", name=LONG_NAME)
        prison = h.activity("prison_visit", name="Prison visit", discreet=True)
        jail = h.place("Vestre Fængsel", sensitive=True, kind="prison", address="Vigerslev Allé 1")
        office = h.place("Kontoret", address="Nørrebrogade 1, 2200 København N")
        now = clock.utcnow()
        a = h.shift(cook, in_days=3, place_=office)
        b = h.shift(prison, in_days=4, place_=jail)
        c = h.shift(h.activity(name="Packing"), in_days=5)
        for s in (a, b, c):
            signups.sign_up(db.session, s, v, by=v)
        signups.sign_up(db.session, a, other, by=other)
        planning.cancel_shift(db.session, c, by=coordinator)
        # Past shifts the volunteer was on: 29 days back (inside) and 31 days back (outside).
        inside = h.shift(h.activity(name="Inside"), start=now - dt.timedelta(days=29))
        outside = h.shift(h.activity(name="Outside"), start=now - dt.timedelta(days=31))
        far = h.shift(h.activity(name="Far away", opens=400), start=now + dt.timedelta(days=366))
        from logistics.shifts.models import Signup, SignupStatus

        for s in (inside, outside, far):
            db.session.add(Signup(shift=s, user_id=v.id, status=SignupStatus.CONFIRMED, confirmed_at=now))
        db.session.commit()
        feed, token = feeds.create(db.session, v, "mine", "Phone", by=v)
        db.session.commit()
        return {"v": v.id, "token": token, "feed": feed.id, "a": a.id, "b": b.id, "c": c.id,
                "coordinator": coordinator.id}


def _get(client, token, **headers):
    return client.get(f"/calendar/{token}.ics", headers=headers)


def test_feed_headers_and_bytes(client, world):
    r = _get(client, world["token"])
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert r.headers["Cache-Control"].startswith("private")
    assert r.headers["ETag"]
    data = r.data
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # only CRLF line ends
    lines = data.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # strict: a fold never splits a character
    assert any(line.startswith(b" ") for line in lines), "the long name must have been folded"
    unfolded = data.replace(b"\r\n ", b"").decode()
    for key in ("X-WR-CALNAME:Phone", "NAME:Phone", "X-WR-TIMEZONE:Europe/Copenhagen",
                "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "METHOD:PUBLISH"):
        assert key in unfolded
    assert "ATTENDEE" not in unfolded and "ORGANIZER" not in unfolded
    assert "Olga" not in unfolded and "Otherperson" not in unfolded and "vera@" not in unfolded


def test_feed_content_parsed_back(client, world, app):
    cal = Calendar.from_ical(_get(client, world["token"]).data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    with app.app_context():
        a, b, c = (db.session.get(Shift, world[k]) for k in ("a", "b", "c"))
        uid = lambda s: f"shift-{s.id}@localhost"  # noqa: E731
        assert set(events) >= {uid(a), uid(b), uid(c)}
        assert len(events) == 4  # a, b, c and the one 29 days back; not 31 back or 366 ahead
        ea = events[uid(a)]
        assert str(ea["SUMMARY"]) == LONG_NAME
        assert ea.decoded("DTSTART") == a.starts_at and ea.decoded("DTEND") == a.ends_at
        assert ea.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        assert int(ea["SEQUENCE"]) == a.version and str(ea["STATUS"]) == "CONFIRMED"
        assert str(ea["URL"]) == f"http://localhost/shifts/{a.id}"
        assert "DTSTAMP" in ea and "LAST-MODIFIED" in ea
        eb = events[uid(b)]
        assert str(eb["SUMMARY"]).startswith("HopeNow shift") and "LOCATION" not in eb
        ec = events[uid(c)]
        assert str(ec["STATUS"]) == "CANCELLED" and int(ec["SEQUENCE"]) == 2


def test_cancelled_shifts_leave_the_feed_after_30_days(client, world):
    with clock.frozen(clock.utcnow() + dt.timedelta(days=3, hours=12)):
        # c (5 days ahead) is past its start but cancelled 3.5 days ago: still there.
        assert f"shift-{world['c']}@".encode() in _get(client, world["token"]).data
    with clock.frozen(clock.utcnow() + dt.timedelta(days=31)):
        assert f"shift-{world['c']}@".encode() not in _get(client, world["token"]).data


def test_etag_and_304(client, world, app):
    first = _get(client, world["token"])
    etag = first.headers["ETag"]
    again = _get(client, world["token"], **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    with app.app_context():
        coordinator = db.session.get(type(factories.user()), world["coordinator"])
        shift = db.session.get(Shift, world["a"])
        planning.update_shift(db.session, shift, place=None, starts_at=shift.starts_at + dt.timedelta(hours=1),
                              ends_at=shift.ends_at + dt.timedelta(hours=1), capacity_min=1, capacity_max=5,
                              by=coordinator)
        db.session.commit()
    changed = _get(client, world["token"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_revoked_unknown_and_malformed_tokens_are_404(client, world, app, login):
    assert _get(client, "nope").status_code == 404
    assert _get(client, "x" * 300).status_code == 404
    login(app_user(app, world["v"]))
    assert client.post(f"/account/feeds/{world['feed']}/revoke").status_code == 302
    assert _get(client, world["token"]).status_code == 404


def app_user(app, uid):
    with app.app_context():
        from logistics.people.models import User

        return db.session.get(User, uid)


def test_token_is_random_long_and_stored_hashed(world, app):
    assert len(world["token"]) >= 43  # 32 random bytes, base64url
    with app.app_context():
        feed = db.session.get(CalendarFeed, world["feed"])
        assert feed.token_hash == feeds.hash_token(world["token"]) and world["token"] not in feed.token_hash


def test_feed_tokens_are_redacted_from_logs(client, world, caplog):
    line = f'127.0.0.1 - - "GET /calendar/{world["token"]}.ics HTTP/1.1" 200 -'
    assert world["token"] not in redact(line)
    from logistics import logs

    logs.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info(line)
    assert world["token"] not in caplog.text and "[redacted]" in caplog.text


def test_last_fetched_is_shown_on_the_profile(client, world, app, login):
    _get(client, world["token"])
    login(app_user(app, world["v"]))
    page = client.get("/account/notifications").data.decode()
    assert "Last read by a calendar" in page and world["token"] not in page


def test_making_a_feed_shows_its_url_once(client, login, app):
    login("volunteer")
    r = client.post("/account/feeds", data={"kind": "mine", "label": "Phone"})
    assert r.status_code == 200
    url = re.search(r'value="(http://localhost/calendar/[^"]+\.ics)"', r.data.decode()).group(1)
    assert b"<svg " in r.data and b"style=" not in r.data.split(b"<svg ", 1)[1].split(b"</svg>")[0]  # the QR code
    assert client.get(url.replace("http://localhost", "")).status_code == 200
    assert url not in client.get("/account/notifications").data.decode()


def test_volunteers_cannot_make_a_whole_schedule_feed(client, login):
    login("volunteer")
    r = client.post("/account/feeds", data={"kind": "all", "label": "x"})
    assert r.status_code == 422


def test_open_feed_lists_shifts_with_free_places_the_person_may_take(app, client):
    with app.app_context():
        v = factories.user()
        q = factories.qualification("hotline")
        free = h.shift(h.activity(name="Free one"), in_days=2)
        full = h.shift(h.activity(name="Full one"), in_days=2, capacity=(1, 1))
        signups.sign_up(db.session, full, factories.user(), by=factories.user())
        needs_q = h.shift(h.activity("hotline", quals=[q], name="Hotline shift"), in_days=2)
        db.session.commit()
        _feed, token = feeds.create(db.session, v, "open", by=v)
        db.session.commit()
        ids = (free.id, full.id, needs_q.id)
    data = client.get(f"/calendar/{token}.ics").data
    assert f"shift-{ids[0]}@".encode() in data
    assert f"shift-{ids[1]}@".encode() not in data and f"shift-{ids[2]}@".encode() not in data


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Tokyo", "UTC"])
def test_parsed_back_under_another_tz_on_the_daylight_saving_days(app, client, tz):
    """Shifts across both changes of 2027, read back with TZ set elsewhere: every UTC start
    and end is what the database holds."""
    starts = ["2027-03-27T18:00", "2027-03-28T01:00", "2027-03-28T03:30", "2027-03-28T18:00",
              "2027-10-30T18:00", "2027-10-31T01:30", "2027-10-31T03:00", "2027-10-31T18:00"]
    clock.freeze(local_instant("2027-03-20T10:00"))
    with app.app_context():
        v = factories.user()
        act = h.activity(name="Night hotline", opens=400)
        expected = {}
        for text in starts:
            s = h.shift(act, start=local_instant(text), hours=4)
            from logistics.shifts.models import Signup, SignupStatus

            db.session.add(Signup(shift=s, user_id=v.id, status=SignupStatus.CONFIRMED, confirmed_at=clock.utcnow()))
            expected[f"shift-{s.id}@localhost"] = (s.starts_at, s.ends_at)
        db.session.commit()
        _feed, token = feeds.create(db.session, v, "mine", by=v)
        db.session.commit()
    data = client.get(f"/calendar/{token}.ics").data
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        cal = Calendar.from_ical(data)
        got = {str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in cal.walk("VEVENT")}
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert got == expected
    for start, end in got.values():
        assert end - start == dt.timedelta(hours=4)  # 4 real hours, across the change too


def test_cli_feeds_create_and_notify_sweep(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["feeds", "create", "--email", "vera@example.org", "--kind", "mine"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"http://localhost/calendar/[A-Za-z0-9_-]{43,}\.ics\n", result.output)
    refused = runner.invoke(args=["feeds", "create", "--email", "vera@example.org", "--kind", "all"])
    assert refused.exit_code != 0 and "coordinators" in refused.output
    missing = runner.invoke(args=["feeds", "create", "--email", "nobody@example.org"])
    assert missing.exit_code != 0
    swept = runner.invoke(args=["notify", "sweep"])
    assert swept.exit_code == 0 and "queued" in swept.output


def test_add_to_my_calendar(client, login, app, world):
    login(app_user(app, world["v"]))
    r = client.get(f"/shifts/{world['a']}/calendar.ics")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in r.headers["Content-Disposition"]
    cal = Calendar.from_ical(r.data)
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"shift-{world['a']}@localhost"
    assert client.get("/shifts/999999/calendar.ics").status_code == 404


def test_feed_rate_limit(client, world):
    for _ in range(60):
        assert _get(client, world["token"]).status_code == 200
    assert _get(client, world["token"]).status_code == 429


def test_feed_query_count_does_not_grow(app, client, world, queries):
    _get(client, world["token"])  # the first fetch also records when it happened
    with queries() as small:
        _get(client, world["token"])
    with app.app_context():
        v = db.session.get(type(factories.user()), world["v"])
        for i in range(20):
            s = h.shift(h.activity(name=f"More {i}"), in_days=6 + i)
            signups.sign_up(db.session, s, v, by=v)
        db.session.commit()
    with queries() as big:
        _get(client, world["token"])
    assert big.count == small.count, big.statements


ICALJS_DIR = Path(__file__).resolve().parents[2] / ".venv" / "icaljs"


def _icaljs() -> Path:
    """Mozilla's ical.js from the npm registry, installed once into .venv/icaljs."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("ical.js check skipped: node and npm are not installed")
    module = ICALJS_DIR / "node_modules" / "ical.js" / "dist" / "ical.es5.cjs"
    if not module.exists():
        ICALJS_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "ical.js@2"], cwd=ICALJS_DIR,
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0 or not module.exists():
            pytest.skip(f"ical.js check skipped: npm could not install ical.js ({done.stderr.strip()[:200]})")
    return module


@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Kolkata"])
def test_icaljs_reads_the_feed_the_same_way(app, client, tz):
    """A second, independent parser (ical.js, run with node under another TZ): every
    event's UTC start and end, status and sequence as in the database, on the two 2027
    daylight-saving days too."""
    module = _icaljs()
    starts = ["2027-03-28T01:00", "2027-03-28T03:30", "2027-10-31T01:30", "2027-10-31T02:30", "2027-04-10T18:00"]
    clock.freeze(local_instant("2027-03-20T10:00"))
    from logistics.shifts.models import Signup, SignupStatus

    with app.app_context():
        v = factories.user()
        coordinator = factories.user("coordinator")
        act = h.activity(name=LONG_NAME, opens=400)
        expected = {}
        for i, text in enumerate(starts):
            s = h.shift(act, start=local_instant(text), hours=3)
            db.session.add(Signup(shift=s, user_id=v.id, status=SignupStatus.CONFIRMED, confirmed_at=clock.utcnow()))
            db.session.flush()
            if i == len(starts) - 1:
                planning.cancel_shift(db.session, s, by=coordinator)
            expected[f"shift-{s.id}@localhost"] = {
                "start": int(s.starts_at.timestamp()), "end": int(s.ends_at.timestamp()),
                "status": "CANCELLED" if i == len(starts) - 1 else "CONFIRMED", "sequence": s.version,
                "summary": LONG_NAME, "zone": "UTC"}
        db.session.commit()
        _feed, token = feeds.create(db.session, v, "mine", "Phone ÆØÅ", by=v)
        db.session.commit()
    data = client.get(f"/calendar/{token}.ics").data
    done = subprocess.run(["node", str(Path(__file__).with_name("icaljs_parse.cjs")), str(module)], input=data,
                          capture_output=True, timeout=60, env=dict(os.environ, TZ=tz))
    assert done.returncode == 0, done.stderr.decode()
    parsed = json.loads(done.stdout)
    assert parsed["calname"] == "Phone ÆØÅ"
    got = {e.pop("uid"): e for e in parsed["events"]}
    assert got == expected


def test_etag_follows_the_schedule_revision(app, client, world):
    from logistics import queue
    from logistics.notifications import revision

    etag = _get(client, world["token"]).headers["ETag"]
    conn = queue.state(app).connection
    before = int(conn.get(revision.KEY) or 0)
    with app.app_context():
        v = factories.user()
        signups.sign_up(db.session, db.session.get(Shift, world["a"]), v, by=v)
        db.session.rollback()  # nothing committed: the revision stays
    assert int(conn.get(revision.KEY) or 0) == before
    assert _get(client, world["token"], **{"If-None-Match": etag}).status_code == 304
    with app.app_context():
        v = factories.user()
        signups.sign_up(db.session, db.session.get(Shift, world["a"]), v, by=v)
        db.session.commit()
    assert int(conn.get(revision.KEY)) > before
    changed = _get(client, world["token"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_without_redis_the_etag_comes_from_the_shifts(app, client, world, monkeypatch):
    from logistics.notifications import revision

    monkeypatch.setattr(revision, "current", lambda: None)
    etag = _get(client, world["token"]).headers["ETag"]
    assert _get(client, world["token"], **{"If-None-Match": etag}).status_code == 304
    with app.app_context():
        coordinator = db.session.get(type(factories.user()), world["coordinator"])
        planning.cancel_shift(db.session, db.session.get(Shift, world["b"]), by=coordinator)
        db.session.commit()
    assert _get(client, world["token"], **{"If-None-Match": etag}).status_code == 200


def test_redis_losing_its_data_changes_every_etag(app, client, world):
    from logistics import queue

    etag = _get(client, world["token"]).headers["ETag"]
    queue.state(app).connection.flushdb()  # the counter starts again; the epoch is new
    assert _get(client, world["token"], **{"If-None-Match": etag}).status_code == 200
