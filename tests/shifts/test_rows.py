"""blueprints/shifts/rows.py draws the shift lists' repeated pieces in Python for speed: each
must write what its macro in templates/shifts/_macros.html writes, for every kind of shift and
person (a change to a macro fails here until rows.py follows it)."""
from __future__ import annotations

import pytest
from flask import g, render_template_string

from blueprints.shifts import rows
from logistics.extensions import db
from logistics.shifts.calendar import ShiftRow
from logistics.shifts.models import ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h

MACROS = '{% import "shifts/_macros.html" as m %}'


@pytest.mark.parametrize("role", ["volunteer", "staff"])
@pytest.mark.parametrize("language", ["en", "da"])
def test_pieces_write_what_the_macros_write(app, role, language):
    with app.app_context():
        person = factories.user(role=role)
        other = factories.user()
        packing = h.activity("packing", name="Packing <food> & packs", colour="olive")
        outreach = h.activity("street_outreach", name="Street outreach", colour="red")
        prison = h.activity("prison_visit", name="Prison visit", discreet=True, colour="purple")
        jail = h.place("Vestre Fængsel", sensitive=True, kind="prison")
        shifts = [
            h.shift(packing, capacity=(2, 4)),
            h.shift(packing, capacity=(1, 1), confirmed_count=1, place_=h.place("Kirken")),
            h.shift(outreach, capacity=(1, 4), confirmed_count=1),
            h.shift(prison, place_=jail),
            h.shift(packing, status=ShiftStatus.CANCELLED),
        ]
        signups = [None,
                   Signup(shift=shifts[1], user=person, status=SignupStatus.CONFIRMED),
                   Signup(shift=shifts[2], user=person, status=SignupStatus.WAITLISTED, position=3),
                   Signup(shift=shifts[3], user=other, status=SignupStatus.CONFIRMED),
                   None]
        db.session.add_all([s for s in signups if s is not None])
        db.session.flush()
        with app.test_request_context(headers={"Accept-Language": language}):
            g._login_user = person  # what Flask-Login's current_user reads
            page = rows.page()
            for shift, signup in zip(shifts, signups, strict=True):
                mine = signup is not None and signup.user_id == person.id
                own = signup if mine else None

                def macro(call, **values):
                    return render_template_string(MACROS + "{{ " + call + " }}", **values)

                assert page.chip(shift, own) == macro("m.chip(shift, signup)", shift=shift, signup=own)
                # The calendars' shifts come as rows (calendar.ShiftRow): the same chip.
                row = ShiftRow(shift.id, shift.starts_at, shift.ends_at, shift.status, shift.capacity_min,
                               shift.capacity_max, shift.confirmed_count, shift.activity)
                assert page.chip(row, own) == page.chip(shift, own)
                assert (row.needed, row.needs_people, row.is_full, row.is_cancelled) == (
                    shift.needed, shift.needs_people, shift.is_full, shift.is_cancelled)
                assert page.title(shift, mine) == macro("m.title(shift, mine)", shift=shift, mine=mine)
                assert page.when(shift) == macro("m.when(shift)", shift=shift)
                assert page.staffing(shift) == macro("m.staffing(shift)", shift=shift)
                assert page.my_badge(own) == macro("m.my_badge(signup)", signup=own)
        db.session.rollback()
