"""Fixtures for the shift pages."""
from __future__ import annotations

import pytest

from logistics.extensions import db
from tests import factories
from tests.shifts import helpers as h


@pytest.fixture
def setup(app):
    """A volunteer with the hotline qualification and a few shifts."""
    with app.app_context():
        q = factories.qualification("hotline", name_en="Hotline training")
        hotline = h.activity("hotline", quals=[q], name="Hotline", capacity=(1, 2), colour="blue")
        packing = h.activity("packing", name="Packing food packs", colour="olive")
        prison = h.activity("prison_visit", name="Prison visit", discreet=True, colour="purple")
        jail = h.place("Vestre Fængsel", sensitive=True, kind="prison", address="Vigerslev Allé 1")
        v = factories.user(full_name="Vera Volunteer")
        factories.grant(v, q)
        ids = dict(
            v=v.id, hotline=hotline.id, packing=packing.id, prison=prison.id,
            hotline_shift=h.shift(hotline, in_days=2, capacity=(1, 2)).id,
            packing_shift=h.shift(packing, in_days=3, capacity=(2, 4)).id,
            prison_shift=h.shift(prison, in_days=4, capacity=(1, 2), place_=jail).id,
        )
        db.session.commit()
    return ids
