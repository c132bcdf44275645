"""Numbers a person reads go through Babel in the page's language: a decimal comma (and a
dot between thousands) in Danish, "3,5 t." for hours; inputs show the locale's decimal sign
without a thousands separator, and read it back."""
from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from logistics.i18n import format_hours, format_number


@pytest.mark.parametrize("language,expected", [("en", ["1,234.5", "3.5", "0.125", "1234.5"]),
                                               ("da", ["1.234,5", "3,5", "0,125", "1234,5"])])
def test_numbers_in_each_language(app_ctx, language, expected):
    assert [format_number(Decimal("1234.500"), language), format_hours(3.5, language),
            format_number(Decimal("0.125"), language),
            format_number(Decimal("1234.5"), language, grouping=False)] == expected
    assert format_number(None, language) == ""


def test_hours_read_with_a_decimal_comma_on_a_danish_page(app):
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        from flask import render_template_string

        html = render_template_string('{{ _("%(hours)s h this week", hours=(3.5|hours)) }}')
    assert html == "3,5 t. denne uge"


def test_a_stock_message_writes_quantities_in_the_page_language(app):
    from logistics.stock.ledger import InsufficientStock
    from logistics.stock.models import Item, Location

    item, location = Item(name="Rice", unit="kg"), Location(name="Storeroom")
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        message = InsufficientStock(item, location, Decimal("2.5"), Decimal("1.25"), Decimal("1000")).message
    assert "1,25" in message and "2,5" in message and "1.000" in message and "1.25" not in message


def test_inputs_show_the_decimal_comma_and_read_it_back(app):
    from blueprints.fields import DecimalField
    from blueprints.forms import Form
    from blueprints.shifts.forms import HoursField

    class Numbers(Form):
        class Meta:
            csrf = False

        hours = HoursField("Hours")
        amount = DecimalField("Amount", minimum=Decimal(0), maximum=Decimal(10000), places=3)

    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        shown = Numbers(data={"hours": Decimal("3.50"), "amount": Decimal("1234.5")})
        assert shown.hours._value() == "3,5" and shown.amount._value() == "1234,5"
        sent = Numbers(formdata=MultiDict({"hours": "3,5", "amount": "1234,5"}))
        assert sent.validate() and sent.hours.data == Decimal("3.5") and sent.amount.data == Decimal("1234.5")
        too_big = Numbers(formdata=MultiDict({"amount": "20000,5"}))
        assert not too_big.validate() and too_big.errors["amount"] == ["Skriv et tal fra 0 til 10.000."]
