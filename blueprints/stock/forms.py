"""Stock forms: shapes and ranges only. Whether an item exists, a quantity is whole for its
unit or enough is on hand is for the services, which name the field that is wrong.

Pages with one quantity per line (a kit, a count, a bag's return) use a ``FieldList`` of
small line forms: the line's id travels in a hidden field next to its quantity."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from blueprints.fields import DateField, IdField, optional_id
from blueprints.forms import NO_NAMES, NO_NAMES_KW, Form, OnceForm, SubForm, danish_name_field
from blueprints.shifts.labels import ACTIVITY_KIND_LABELS
from blueprints.stock.labels import (
    CATEGORY_LABELS,
    DISCARD_REASONS,
    FIT_LABELS,
    ISSUE_REASONS,
    MOVEMENT_KIND_LABELS,
    UNIT_NAMES,
)
from logistics.stock.models import UNITS

QUANTITY_RENDER = {"inputmode": "decimal", "autocomplete": "off"}
#: Ids fit PostgreSQL's integer column; anything larger is not an id.


def opts(pairs) -> list[SelectChoice]:
    """Choices for a SelectField or RadioField from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class PlainForm(OnceForm):
    """A button (such as cancel): CSRF and the one-time token."""



def _quantity(label=None):
    return StringField(label or _l("Quantity"), [InputRequired(message=_l("Enter a quantity."))],
                       render_kw=QUANTITY_RENDER)


def _select(label, required=True):
    validators = [InputRequired(message=_l("Choose one."))] if required else [Optional()]
    return SelectField(label, validators, validate_choice=False, coerce=optional_id)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _line_id():
    """The hidden id of a line (an item, a count line) in a line form."""
    return IdField(validators=[InputRequired()])


def _line_quantity(label=None):
    """A line's quantity as typed; blank is allowed (the service says what it means)."""
    return StringField(label or _l("Quantity"), filters=[_strip], render_kw=QUANTITY_RENDER)


# --- ledger -----------------------------------------------------------------------------


class ReceiveForm(OnceForm):
    item_id = _select(_l("Item"))
    quantity = _quantity()
    location_id = _select(_l("Location"))
    lot_code = StringField(_l("Lot number"), [Optional(), Length(max=60)],
                           description=_l("As printed on the package; leave empty if there is none."))
    expires_on = DateField(_l("Expiry date"), [Optional()])
    confirm_past_expiry = BooleanField(_l("Yes, I am receiving goods that have already expired"))
    source_kind = SelectField(_l("From"), choices=opts([("", _l("— not stated —")), ("donor", _l("Donor")),
                                                   ("supplier", _l("Supplier"))]), validate_choice=True)
    source_name = StringField(_l("Donor or supplier name"), [Optional(), Length(max=120)],
                              description=_l("An organisation or shop; never one of the people we help."))
    unit_cost = StringField(_l("Price per unit (DKK)"), [Optional(), Length(max=20)], render_kw=QUANTITY_RENDER)
    note = TextAreaField(_l("Note"), [Optional(), Length(max=500)], description=NO_NAMES, render_kw=NO_NAMES_KW)


class IssueForm(OnceForm):
    item_id = _select(_l("Item"))
    quantity = _quantity()
    location_id = _select(_l("From location"))
    lot_id = _select(_l("Lot"), required=False)
    reason = SelectField(_l("For"), choices=opts(ISSUE_REASONS.items()), default="outreach")
    note = TextAreaField(_l("Note"), [Optional(), Length(max=500)], description=NO_NAMES, render_kw=NO_NAMES_KW)


class TransferForm(OnceForm):
    item_id = _select(_l("Item"))
    quantity = _quantity()
    location_id = _select(_l("From location"))
    to_location_id = _select(_l("To location"))
    lot_id = _select(_l("Lot"), required=False)
    note = TextAreaField(_l("Note"), [Optional(), Length(max=500)], description=NO_NAMES, render_kw=NO_NAMES_KW)


class DiscardForm(OnceForm):
    item_id = _select(_l("Item"))
    quantity = _quantity()
    location_id = _select(_l("Location"))
    lot_id = _select(_l("Lot"), required=False)
    reason = SelectField(_l("Reason"), [InputRequired()], choices=opts(DISCARD_REASONS.items()))
    note = TextAreaField(_l("Note"), [Optional(), Length(max=500)], description=NO_NAMES, render_kw=NO_NAMES_KW)


class AdjustForm(OnceForm):
    item_id = _select(_l("Item"))
    direction = RadioField(_l("Change"), [InputRequired(message=_l("Choose up or down."))],
                           choices=opts([("up", _l("Add to stock")), ("down", _l("Take from stock"))]))
    quantity = _quantity()
    location_id = _select(_l("Location"))
    lot_id = _select(_l("Lot"), required=False)
    reason = StringField(_l("Reason"), [DataRequired(message=_l("Say why the stock is adjusted.")), Length(max=200)],
                         description=NO_NAMES, render_kw=NO_NAMES_KW)


class UndoForm(OnceForm):
    reason = StringField(_l("Reason"), [Optional(), Length(max=200)], description=NO_NAMES, render_kw=NO_NAMES_KW)


class QuarantineForm(OnceForm):
    reason = StringField(_l("Reason"),
                         [DataRequired(message=_l("Say why the lot is blocked (e.g. the recall notice).")),
                          Length(max=500)])


class ReleaseForm(OnceForm):
    reason = StringField(_l("Reason"), [Optional(), Length(max=500)])


# --- catalogue --------------------------------------------------------------------------

class ItemForm(OnceForm):
    name = StringField(_l("Name"), [DataRequired(message=_l("Give the item a name.")), Length(max=120)])
    name_da = danish_name_field(120)
    category = SelectField(_l("Category"), choices=opts((c.value, label) for c, label in CATEGORY_LABELS.items()))
    unit = SelectField(_l("Unit"), choices=opts((u, UNIT_NAMES[u]) for u in UNITS))
    is_expiry_tracked = BooleanField(_l("Expires: every lot needs an expiry date"))
    product_group_id = _select(_l("Product group (clothing)"), required=False)
    fit = SelectField(_l("Fit (clothing)"),
                      choices=opts([("", "—")] + [(f.value, label) for f, label in FIT_LABELS.items()]))
    size = StringField(_l("Size (clothing)"), [Optional(), Length(max=20)])
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=1000)], description=NO_NAMES, render_kw=NO_NAMES_KW)
    is_active = BooleanField(_l("In use"), default=True)


class MinLevelForm(OnceForm):
    min_level = StringField(_l("Minimum level"), [InputRequired(message=_l("Enter a quantity."))],
                            render_kw=QUANTITY_RENDER,
                            description=_l("Total over all locations; below it the item goes on the shopping list. "
                                           "0 means no minimum."))


class LocationForm(OnceForm):
    name = StringField(_l("Name"), [DataRequired(message=_l("Give the location a name.")), Length(max=80)])
    name_da = danish_name_field(80)
    is_mobile = BooleanField(_l("Mobile (a bag or box that goes out with a team)"))
    is_active = BooleanField(_l("In use"), default=True)


class ProductGroupForm(OnceForm):
    name = StringField(_l("Name"), [DataRequired(message=_l("Give the product group a name.")), Length(max=120)])
    name_da = danish_name_field(120)
    notes = TextAreaField(_l("Notes"), [Optional(), Length(max=1000)], description=NO_NAMES, render_kw=NO_NAMES_KW)


# --- counts -----------------------------------------------------------------------------

class StartCountForm(OnceForm):
    location_id = _select(_l("Location"))


class CountEntryForm(SubForm):
    """One line of a count: the count line's id and the quantity counted (blank: not counted yet)."""

    line_id = _line_id()
    quantity = _line_quantity(_l("Counted"))


class CountForm(OnceForm):
    lines = FieldList(FormField(CountEntryForm))
    #: The button pressed: "save" (part-way) or "finish".
    action = StringField()


class CountLineForm(OnceForm):
    """Stock found during a count that was not on the list."""

    item_id = _select(_l("Item"))
    lot_code = StringField(_l("Lot number"), [Optional(), Length(max=60)])
    expires_on = DateField(_l("Expiry date"), [Optional()])
    quantity = _quantity(_l("Counted"))


# --- kits -------------------------------------------------------------------------------

class KitLineForm(SubForm):
    """One line of a kit: the item and its quantity (0 or blank removes the line)."""

    item_id = _line_id()
    quantity = _line_quantity()


class KitForm(OnceForm):
    """The kit's lines; one new line may be added."""

    lines = FieldList(FormField(KitLineForm))
    new_item_id = _select(_l("Add an item"), required=False)
    new_quantity = StringField(_l("Quantity"), [Optional()], render_kw=QUANTITY_RENDER)


class CheckForm(Form):
    class Meta:
        csrf = False  # a GET form: it only chooses what to look at

    activity_kind = SelectField(_l("Activity"), default="street_outreach",
                                choices=opts((k.value, label) for k, label in ACTIVITY_KIND_LABELS.items()))
    from_location_id = _select(_l("Pack from"))
    bag_location_id = _select(_l("Into"))
    #: The shift the bag is for, when the check was opened from a shift.
    shift_id = IdField(validators=[Optional()])


class PackForm(OnceForm):
    activity_kind = HiddenField()
    from_location_id = IdField(validators=[InputRequired()])
    bag_location_id = IdField(validators=[InputRequired()])
    shift_id = IdField(validators=[Optional()])


class ReturnLineForm(SubForm):
    """One item in the bag and how much of it came back (blank: nothing)."""

    item_id = _line_id()
    quantity = _line_quantity()


class ReturnForm(OnceForm):
    lines = FieldList(FormField(ReturnLineForm))
    #: Asked when the bag comes back before its shift has started.
    early_reason = StringField(_l("Why is the bag back before the shift?"), [Optional(), Length(max=300)],
                               description=NO_NAMES, render_kw=NO_NAMES_KW)
    #: "Show what was handed out" sends the form without saving (for browsers without JavaScript).
    preview = StringField()


class BagForm(OnceForm):
    """Another bag (a mobile location), so the next outreach can be packed while one is out."""

    name = StringField(_l("Name of the new bag"), [DataRequired(), Length(max=80)], filters=[_strip])


# --- lists ------------------------------------------------------------------------------

class ExpiredLineForm(SubForm):
    """One row of the expired list as it was shown: the lot, where it is and how much."""

    lot_id = _line_id()
    location_id = _line_id()
    quantity = HiddenField()


class DiscardExpiredForm(OnceForm):
    """"Discard all of these": the expired list's rows, one reason, one confirmation."""

    lines = FieldList(FormField(ExpiredLineForm))
    reason = SelectField(_l("Reason"), [InputRequired()], choices=opts(DISCARD_REASONS.items()), default="expired")
    note = StringField(_l("Note"), [Optional(), Length(max=500)], description=NO_NAMES, render_kw=NO_NAMES_KW)


class ExportForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), [Optional()])
    end = DateField(_l("To"), [Optional()])
    item_id = _select(_l("Item"), required=False)
    location_id = _select(_l("Location"), required=False)
    kind = SelectField(_l("Kind"), choices=opts([("", _l("All"))] + list(MOVEMENT_KIND_LABELS.items())), default="")
    category = SelectField(_l("Category"), default="",
                           choices=opts([("", _l("All"))] + [(c.value, label) for c, label in CATEGORY_LABELS.items()]))
