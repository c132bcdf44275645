"""The catalogue: items (unknown ones refused, names unique, categories checked, clothing per
size and fit, the size grid) and minimum levels (checked, audited, the shopping list)."""
from __future__ import annotations

import pytest

from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.stock import catalogue
from logistics.stock.queries import catalogue as catalogue_queries
from logistics.stock.queries import lists as lists_queries
from tests.stock.conftest import audit_actions, make_item, receive


def test_unknown_item_is_refused(stock):
    with pytest.raises(DomainError) as exc:
        catalogue.get_item(db.session, 99999)
    assert exc.value.field == "item_id" and "does not exist" in exc.value.message
    with pytest.raises(DomainError):
        catalogue.get_item(db.session, "not-a-number")
    stock.soap.is_active = False
    with pytest.raises(DomainError):
        catalogue.get_item(db.session, stock.soap.id)


def test_item_names_unique_and_category_checked(stock):
    with pytest.raises(Conflict):
        make_item("Soap", "hygiene", expiry=False, by=stock.staff)
    with pytest.raises(DomainError) as exc:
        make_item("Thing", "weapons", by=stock.staff)
    assert exc.value.field == "category"


def test_clothing_needs_size_and_fit_and_size_grid(stock):
    group = catalogue.create_product_group(db.session, name="Winter jacket", by=stock.staff)
    with pytest.raises(DomainError) as exc:
        make_item("Winter jacket", "clothing", expiry=False, by=stock.staff, product_group_id=group.id)
    assert exc.value.field == "size"
    for fit in ("women", "men"):
        for size in ("S", "M", "XL"):
            make_item("Winter jacket", "clothing", expiry=False, by=stock.staff, product_group_id=group.id,
                      size=size, fit=fit)
    with pytest.raises(Conflict):
        make_item("Winter jacket", "clothing", expiry=False, by=stock.staff, product_group_id=group.id,
                  size="M", fit="women")
    fits, sizes, cells = catalogue_queries.size_grid(db.session, group)
    assert fits == ["women", "men"] and sizes == ["S", "M", "XL"]
    assert cells[("women", "M")][0].full_name == "Winter jacket — women — M"


# --- minimum levels -------------------------------------------------------------------------------

def test_min_level_below_minimum_and_audit(stock):
    catalogue.set_min_level(db.session, stock.soap, "10", by=stock.coordinator)
    receive(stock, stock.soap, 4)
    receive(stock, stock.soap, 2, location=stock.kitchen)
    short = lists_queries.below_minimum(db.session)
    assert [(r.item.id, r.total, r.shortfall) for r in short] == [(stock.soap.id, 6, 4)]
    assert "stock.minimum_changed" in audit_actions()
    with pytest.raises(catalogue.InvalidQuantity) as exc:
        catalogue.set_min_level(db.session, stock.soap, "-1", by=stock.coordinator)
    assert exc.value.field == "min_level"
