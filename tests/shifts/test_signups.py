"""Sign-ups: the waitlist, cancelling and requests, swaps, export and erasure; then the volunteer's pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.clock import utcnow
from logistics.errors import Conflict, PermissionDenied
from logistics.extensions import db
from logistics.people import export
from logistics.people import services as people_services
from logistics.people.models import User
from logistics.shifts import queries, rules, signups
from logistics.shifts.models import EventKind, Shift, ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import actions, events, get_user


def test_sign_up_confirms_and_counts(session):
    shift = h.shift(capacity=(1, 2))
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    session.commit()
    assert signup.status == SignupStatus.CONFIRMED and signup.position is None
    assert session.get(Shift, shift.id).confirmed_count == 1
    assert [e.kind for e in events(session)] == [EventKind.SIGNUP_CONFIRMED]
    assert actions(session) == []  # the volunteer's own change: no audit entry


def test_full_shift_puts_on_waitlist_in_order(session):
    shift = h.shift(capacity=(1, 1))
    people = [factories.user() for _ in range(4)]
    results = [signups.sign_up(session, shift, p, by=p) for p in people]
    assert [r.status for r in results] == [SignupStatus.CONFIRMED] + [SignupStatus.WAITLISTED] * 3
    assert [r.position for r in results] == [None, 1, 2, 3]
    assert shift.waitlist_count == 3


# --- cancellation, waitlist promotion ---------------------------------------------------------------

def test_cancel_promotes_first_in_line_and_renumbers(session):
    shift = h.shift(capacity=(1, 1))
    a, b, c, d = (factories.user() for _ in range(4))
    sa_ = signups.sign_up(session, shift, a, by=a)
    sb = signups.sign_up(session, shift, b, by=b)
    sc = signups.sign_up(session, shift, c, by=c)
    sd = signups.sign_up(session, shift, d, by=d)
    signups.cancel(session, sa_, by=a)
    session.commit()
    assert sa_.status == SignupStatus.CANCELLED
    assert (sb.status, sb.position) == (SignupStatus.CONFIRMED, None)
    assert (sc.position, sd.position) == (1, 2)
    shift = session.get(Shift, shift.id)
    assert (shift.confirmed_count, shift.waitlist_count) == (1, 2)
    promoted = events(session, EventKind.PROMOTED)
    assert [e.user_id for e in promoted] == [b.id]
    assert "signup.promoted" in actions(session)


def test_leaving_the_waitlist_closes_the_gap(session):
    shift = h.shift(capacity=(1, 1))
    people = [factories.user() for _ in range(4)]
    rows = [signups.sign_up(session, shift, p, by=p) for p in people]
    signups.cancel(session, rows[2], by=people[2])  # position 2 leaves
    assert [r.position for r in rows] == [None, 1, None, 2]
    assert shift.waitlist_count == 2 and shift.confirmed_count == 1


def test_self_cancel_until_cut_off_then_request(session):
    act = h.activity(cutoff=24)
    shift = h.shift(act, in_days=0.5)  # 12 h ahead: past the cut-off
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    with pytest.raises(rules.CutoffPassed):
        signups.cancel(session, signup, by=v)
    signups.request_cancellation(session, signup, reason="Ill", by=v)
    assert signup.cancel_requested_at is not None and signup.status == SignupStatus.CONFIRMED
    with pytest.raises(Conflict):
        signups.request_cancellation(session, signup, reason="again", by=v)
    coordinator = factories.user("coordinator")
    signups.decide_cancellation(session, signup, approve=True, by=coordinator)
    assert signup.status == SignupStatus.CANCELLED and shift.confirmed_count == 0
    assert "signup.cancel_approved" in actions(session)


def test_unanswered_requests_lapse_when_the_shift_begins(session):
    """The hourly sweep: a request nobody answered before its shift began lapses (the person
    stays on), with an audit entry, and so does an offer to swap nobody took; those ahead
    stay, and what the pages count and list of them is the same before and after."""
    act = h.activity(cutoff=72)
    ahead, soon = h.shift(act, in_days=3), h.shift(act, in_days=1)
    v, w = factories.user(), factories.user()
    open_request = signups.sign_up(session, ahead, v, by=v)
    old_request = signups.sign_up(session, soon, w, by=w)
    signups.request_cancellation(session, open_request, reason="Ill", by=v)
    signups.request_cancellation(session, old_request, reason="Moving house", by=w)
    x, y = factories.user(), factories.user()
    old_offer, open_offer = signups.sign_up(session, soon, x, by=x), signups.sign_up(session, ahead, y, by=y)
    signups.offer_swap(session, old_offer, by=x)
    signups.offer_swap(session, open_offer, by=y)
    session.commit()
    assert signups.lapse_begun_requests(session) == 0  # neither has begun
    later = utcnow() + dt.timedelta(days=1, hours=1)  # the second shift under way, the first ahead
    with clock.frozen(later):
        assert queries.cancellation_requests_count(session) == 1
        offers = [s.id for s in queries.swap_offers(session)]
        assert signups.lapse_begun_requests(session) == 2  # a request and an offer
        session.commit()
        assert signups.lapse_begun_requests(session) == 0
        assert queries.cancellation_requests_count(session) == 1
        assert [s.id for s in queries.swap_offers(session)] == offers == [open_offer.id]
    old_request, open_request = session.get(Signup, old_request.id), session.get(Signup, open_request.id)
    assert old_request.cancel_requested_at is None and old_request.cancel_request_reason is None
    assert old_request.status == SignupStatus.CONFIRMED  # kept on, as a declined request leaves them
    assert open_request.cancel_requested_at is not None and open_request.cancel_request_reason == "Ill"
    assert actions(session).count("signup.cancel_lapsed") == 1
    assert session.get(Signup, old_offer.id).swap_offered_at is None
    assert session.get(Signup, open_offer.id).swap_offered_at is not None


def test_decline_cancellation_keeps_the_volunteer(session):
    shift = h.shift(h.activity(cutoff=48), in_days=1)
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    signups.request_cancellation(session, signup, reason="", by=v)
    signups.decide_cancellation(session, signup, approve=False, by=factories.user("coordinator"))
    assert signup.status == SignupStatus.CONFIRMED and signup.cancel_requested_at is None


def test_cannot_cancel_someone_elses_sign_up(session):
    shift = h.shift()
    v, w = factories.user(), factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    with pytest.raises(PermissionDenied):
        signups.cancel(session, signup, by=w)


def test_sign_up_again_after_cancelling(session):
    shift = h.shift()
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    signups.cancel(session, signup, by=v)
    again = signups.sign_up(session, shift, v, by=v)
    assert again.id == signup.id and again.status == SignupStatus.CONFIRMED and shift.confirmed_count == 1


# --- swaps ----------------------------------------------------------------------------------------

def test_swap_moves_the_sign_up_in_one_step(session):
    shift = h.shift(capacity=(1, 1))
    a, b = factories.user(), factories.user()
    mine = signups.sign_up(session, shift, a, by=a)
    with pytest.raises(Conflict):
        signups.take_swap(session, mine, b, by=b)  # not offered yet
    signups.offer_swap(session, mine, by=a)
    taken = signups.take_swap(session, mine, b, by=b)
    session.commit()
    assert mine.status == SignupStatus.CANCELLED and mine.swap_offered_at is None
    assert taken.status == SignupStatus.CONFIRMED and taken.user_id == b.id
    assert session.get(Shift, shift.id).confirmed_count == 1
    assert "signup.swapped" in actions(session)


def test_swap_taker_must_be_eligible_and_free(session):
    q = factories.qualification()
    shift = h.shift(h.activity(quals=[q]), in_days=3, hours=3)
    a, b = factories.user(), factories.user()
    factories.grant(a, q)
    session.refresh(a)
    mine = signups.sign_up(session, shift, a, by=a)
    signups.offer_swap(session, mine, by=a)
    with pytest.raises(rules.MissingQualification):
        signups.take_swap(session, mine, b, by=b)
    factories.grant(b, q)
    session.refresh(b)
    busy = h.shift(start=shift.starts_at)
    signups.sign_up(session, busy, b, by=b)
    with pytest.raises(rules.Overlap):
        signups.take_swap(session, mine, b, by=b)
    assert mine.status == SignupStatus.CONFIRMED


def test_waitlisted_person_takes_a_swap(session):
    shift = h.shift(capacity=(1, 1))
    a, b, c = factories.user(), factories.user(), factories.user()
    sa_ = signups.sign_up(session, shift, a, by=a)
    sb = signups.sign_up(session, shift, b, by=b)
    sc = signups.sign_up(session, shift, c, by=c)
    signups.offer_swap(session, sa_, by=a)
    signups.take_swap(session, sa_, c, by=c)  # c was second in line
    assert (sc.status, sc.position) == (SignupStatus.CONFIRMED, None)
    assert sb.position == 1 and shift.waitlist_count == 1 and shift.confirmed_count == 1


def test_every_path_confirms_a_clean_place(session):
    """Sign-up, swap and assign confirm alike: nothing of an earlier place on the shift stays."""
    coordinator = factories.user("coordinator")
    shift = h.shift(capacity=(1, 3))
    offering, by_signup, by_swap, by_assign = (factories.user() for _ in range(4))
    for person in (by_signup, by_swap, by_assign):
        session.add(Signup(shift=shift, user_id=person.id, status=SignupStatus.CANCELLED, cancelled_at=utcnow(),
                           attended=True, hours=Decimal("3"), cancel_requested_at=utcnow(),
                           cancel_request_reason="Ill", swap_offered_at=utcnow()))
    session.flush()
    offered = signups.sign_up(session, shift, offering, by=offering)
    signups.offer_swap(session, offered, by=offering)
    rows = [signups.sign_up(session, shift, by_signup, by=by_signup),
            signups.take_swap(session, offered, by_swap, by=by_swap),
            signups.assign(session, shift, by_assign, by=coordinator)]
    session.commit()
    for row in rows:
        session.refresh(row)
        assert row.status == SignupStatus.CONFIRMED and row.confirmed_at is not None
        assert (row.cancelled_at, row.cancel_requested_at, row.cancel_request_reason, row.swap_offered_at,
                row.attended, row.hours) == (None,) * 6


# --- privacy ---------------------------------------------------------------------------------------

def test_export_has_own_shifts_only(session):
    shift = h.shift(capacity=(1, 3))
    v, w = factories.user(full_name="Vera Export"), factories.user(full_name="Walter Other")
    signups.sign_up(session, shift, v, by=v)
    signups.sign_up(session, shift, w, by=w)
    data = export.export(session, v)
    assert len(data["shifts"]) == 1 and data["shifts"][0]["status"] == "confirmed"
    assert "Walter" not in str(data["shifts"])


def test_erasure_keeps_past_hours_and_frees_future_places(session):
    admin = factories.user("admin")
    past = h.shift(in_days=-2, hours=3)
    future = h.shift(capacity=(1, 1))
    v, w = factories.user(), factories.user()
    session.add(Signup(shift=past, user_id=v.id, status=SignupStatus.CONFIRMED, attended=True, hours=Decimal("3")))
    past.confirmed_count = 1
    signups.sign_up(session, future, v, by=v)
    sw = signups.sign_up(session, future, w, by=w)
    people_services.erase(session, v, by=admin)
    session.commit()
    kept = session.scalar(sa.select(Signup).where(Signup.shift_id == past.id))
    assert kept.user_id == v.id and kept.hours == Decimal("3") and kept.user.erased_at is not None
    assert sw.status == SignupStatus.CONFIRMED  # the place went to the next in line


# --- pages ----------------------------------------------------------------------------------------

def test_open_shifts_lists_only_what_the_volunteer_may_take(app, client, login, setup):
    with app.app_context():
        needs_qual = h.activity("street_outreach", quals=[factories.qualification("outreach")], name="Outreach")
        h.shift(needs_qual, in_days=2)
        db.session.commit()
    login(get_user(app, setup["v"]))
    r = client.get("/shifts/open")
    assert r.status_code == 200
    text = r.get_data(as_text=True).split('class="filters"')[1].split("</form>", 1)[1]  # the list, not the filter
    assert "Hotline" in text and "Packing food packs" in text
    assert "Outreach" not in text  # no qualification
    assert "Prison visit" not in text and "HopeNow shift" in text  # discreet: neutral title
    assert "Vestre Fængsel" not in text
    # Those needing people first: a full hotline shift goes after the packing one that needs people.
    assert text.index("Hotline") < text.index("Packing food packs")  # both need people: by time
    r = client.get(f"/shifts/open?activity={setup['packing']}")
    assert "Hotline" not in r.get_data(as_text=True).split('class="filters"')[1].split("</form>", 1)[1]


def test_sign_up_shows_in_my_shifts_then_cancel(app, client, login, setup):
    login(get_user(app, setup["v"]))
    r = client.post(f"/shifts/{setup['packing_shift']}/signup")
    assert r.status_code == 302
    r = client.get("/shifts/mine")
    assert "Packing food packs" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{setup['packing_shift']}/cancel")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Signup.status)) == SignupStatus.CANCELLED


def test_refusal_reason_is_shown_and_nothing_saved(app, client, login, setup):
    login(get_user(app, setup["v"]))
    client.post(f"/shifts/{setup['packing_shift']}/signup")
    r = client.post(f"/shifts/{setup['packing_shift']}/signup")
    assert r.status_code == 409
    assert "already signed up" in r.get_data(as_text=True)
    with app.app_context():
        past = h.shift(in_days=-1).id
        cancelled = h.shift(status=ShiftStatus.CANCELLED).id
        db.session.commit()
    r = client.post(f"/shifts/{past}/signup")
    assert r.status_code == 422 and "already started" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{cancelled}/signup")
    assert r.status_code == 422 and "cancelled" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Signup.id))) == 1


def test_waitlist_and_cut_off_request(app, client, login, setup):
    with app.app_context():
        act = h.activity("packing", cutoff=48)
        soon = h.shift(act, in_days=1, capacity=(1, 1))
        full = h.shift(act, in_days=5, capacity=(1, 1))
        someone = factories.user()
        signups.sign_up(db.session, full, someone, by=someone)
        ids = soon.id, full.id
        db.session.commit()
    login(get_user(app, setup["v"]))
    client.post(f"/shifts/{ids[1]}/signup")
    text = client.get("/shifts/mine").get_data(as_text=True)
    assert "Waitlist no. 1" in text
    client.post(f"/shifts/{ids[0]}/signup")
    r = client.post(f"/shifts/{ids[0]}/cancel")
    assert r.status_code == 422 and "cancellation request" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{ids[0]}/request-cancel", data={"reason": "Sick"})
    assert r.status_code == 302
    with app.app_context():
        c = factories.user("coordinator")
        db.session.commit()
    client.post("/logout")
    login(c)
    text = client.get("/shifts/staffing").get_data(as_text=True)
    assert "Vera Volunteer" in text and "Sick" in text


def test_swap_through_the_pages(app, client, login, setup):
    with app.app_context():
        a = factories.user(full_name="Anna Swap")
        shift = db.session.get(Shift, setup["packing_shift"])
        offered = signups.sign_up(db.session, shift, a, by=a)
        signups.offer_swap(db.session, offered, by=a)
        offered_id = offered.id
        db.session.commit()
    login(get_user(app, setup["v"]))
    assert "Take this shift" in client.get("/shifts/open").get_data(as_text=True)
    assert client.post(f"/shifts/swaps/{offered_id}/take").status_code == 302
    with app.app_context():
        mine = db.session.scalar(sa.select(Signup).where(Signup.user_id == setup["v"]))
        assert mine.status == SignupStatus.CONFIRMED


def test_my_shifts_lists_the_next_thirty_then_all_on_request(app, client, login, setup):
    """A year of weekly shifts is more than anyone reads at once: the next thirty, then a
    link to all of them; the recent ones stay."""
    from blueprints.shifts.signups import MINE_PAGE

    with app.app_context():
        v = db.session.get(User, setup["v"])
        act = h.activity("packing", name="Weekly packing")
        for week in range(MINE_PAGE + 5):
            shift = h.shift(act, in_days=1 + 7 * week)
            db.session.add(Signup(shift=shift, user_id=v.id, status=SignupStatus.CONFIRMED))
        done = h.shift(act, in_days=-3)
        db.session.add(Signup(shift=done, user_id=v.id, status=SignupStatus.CONFIRMED, hours=Decimal("2.5")))
        db.session.commit()
    login(get_user(app, setup["v"]))
    page = client.get("/shifts/mine").get_data(as_text=True)
    coming = page.split("<h2>")[0]
    assert coming.count("Weekly packing") == MINE_PAGE
    assert "Show all your coming shifts" in page and 'href="/shifts/mine?all=1"' in page
    assert "2.5" in page.split("<h2>")[1]  # the recent shift, with its hours
    everything = client.get("/shifts/mine?all=1").get_data(as_text=True)
    assert everything.split("<h2>")[0].count("Weekly packing") == MINE_PAGE + 5
    assert "Show all your coming shifts" not in everything
