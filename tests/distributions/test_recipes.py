"""Pack recipes: one model with the outreach kits, refused input, and the arithmetic."""
from __future__ import annotations

from decimal import Decimal

import pytest

from logistics.errors import DomainError
from logistics.extensions import db
from logistics.stock import recipes
from logistics.stock.queries import kits as kits_queries


def test_a_recipe_is_a_kit_with_a_pack_item_and_not_an_activity_kit(ns):
    assert ns.recipe.is_recipe and ns.recipe.activity_kind is None
    assert [r.pack_item.name for r in recipes.recipes(db.session)] == ["Food pack (family)", "Food pack (standard)"]
    assert all(kit is None for kit in kits_queries.kits(db.session).values())  # the activity kits ignore recipes


def test_recipe_arithmetic(ns):
    lines = [(line.item, line.quantity) for line in ns.family_recipe.lines]
    got = {n.item.name: n.total for n in recipes.needs(lines, 7)}
    assert got == {"Rice": Decimal(35), "Oil": Decimal(14), "Soap": Decimal(7)}
    assert {n.item.name: n.total for n in recipes.needs(lines, 0)} == {"Rice": 0, "Oil": 0, "Soap": 0}
    with pytest.raises(DomainError):
        recipes.needs(lines, -1)


@pytest.mark.parametrize("lines, message", [
    ([], "at least one component"),
    ([("", "")], "at least one component"),
    (["rice:2", "rice:1"], "twice"),
    (["rice:0"], "above zero"),
    (["rice:-2"], "above zero"),
    (["hygiene:1"], "cannot contain itself"),
    (["oil:1.5"], "whole number"),
    ([(999999, "1")], None),
])
def test_bad_recipes_are_refused(ns, lines, message):
    def resolve(entry):
        if isinstance(entry, str):
            name, qty = entry.split(":")
            return (getattr(ns, name).id, qty)
        return entry
    with pytest.raises(DomainError) as err:
        recipes.save_recipe(db.session, None, pack_item_id=ns.hygiene.id,
                            lines=[resolve(e) for e in lines], by=ns.coordinator)
    if message:
        assert message in err.value.message


def test_a_pack_has_one_recipe_and_a_change_is_audited(ns):
    with pytest.raises(DomainError, match="already has a recipe"):
        recipes.save_recipe(db.session, None, pack_item_id=ns.pack.id, lines=[(ns.rice.id, "1")], by=ns.coordinator)
    recipes.save_recipe(db.session, ns.recipe, pack_item_id=ns.pack.id, lines=[(ns.rice.id, "3")], by=ns.coordinator)
    db.session.commit()
    assert [(line.item.name, line.quantity) for line in ns.recipe.lines] == [("Rice", Decimal(3))]
    from tests.shifts.helpers import actions
    assert actions(db.session).count("stock.recipe_changed") == 3
