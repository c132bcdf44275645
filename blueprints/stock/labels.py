"""Words for the stock area's codes (categories, fits, units, movement kinds, reasons), in one
place for the forms that offer them and the pages that show them."""
from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from logistics.i18n import translations
from logistics.stock.models import Category, Fit

CATEGORY_LABELS = {
    Category.FOOD: _l("Food"), Category.HYGIENE: _l("Hygiene"), Category.MEDICINE: _l("Medicine"),
    Category.TEST_KIT: _l("Test kits"), Category.VACCINE: _l("Vaccines"), Category.CLOTHING: _l("Clothing"),
    Category.FOOD_PACK: _l("Food packs"), Category.VOUCHER: _l("Vouchers"), Category.OTHER: _l("Other"),
}
FIT_LABELS = {Fit.WOMEN: _l("women"), Fit.MEN: _l("men"), Fit.UNISEX: _l("unisex"), Fit.CHILD: _l("child")}
UNIT_NAMES = {
    "piece": _l("piece"), "pack": _l("pack"), "box": _l("box"), "bottle": _l("bottle"), "pair": _l("pair"),
    "dose": _l("dose"), "test": _l("test"), "voucher": _l("voucher"), "kg": _l("kilogram"), "litre": _l("litre"),
}
MOVEMENT_KIND_LABELS = {
    "receive": _l("Received"), "issue": _l("Issued"), "transfer": _l("Moved"), "adjust": _l("Adjusted"),
    "count": _l("Counted"), "discard": _l("Discarded"), "pack": _l("Packed"), "unpack": _l("Unpacked"),
}
ISSUE_REASONS = {
    "outreach": _l("Outreach"), "distribution": _l("Distribution"), "cooking": _l("Communal cooking"),
    "hand_out": _l("Hand-out at the office"), "prison_visit": _l("Prison visit"), "other": _l("Other"),
}
DISCARD_REASONS = {
    "expired": _l("Expired"), "damaged": _l("Damaged"), "recalled": _l("Recalled"), "other": _l("Other"),
}


def said(label):
    """A label in the page's language, translated once per label and catalogue (the pages
    show one a row); what a template makes of the lazy label (its ``__html__``). Anything
    else (free text) as it is."""
    if not isinstance(label, LazyString):
        return label
    # Keyed by identity: hashing a lazy label translates it (the work this cache saves).
    key = (id(label), id(translations()))
    said_ = _SAID.get(key)
    if said_ is None:
        if len(_SAID) > 4096:  # labels are module constants: only a new catalogue adds keys
            _SAID.clear()
        said_ = _SAID[key] = Markup(label.__html__())
    return said_


#: (label, catalogue) → the label in that catalogue's language. The labels are this module's
#: constants and the catalogues Flask-Babel's, both kept for the life of the process.
_SAID: dict[tuple[int, int], Markup] = {}


def category_label(category):
    return said(CATEGORY_LABELS.get(Category(category), category))


def fit_label(fit):
    return said(FIT_LABELS.get(fit, fit)) if fit else ""


def movement_kind_label(kind):
    return said(MOVEMENT_KIND_LABELS.get(getattr(kind, "value", kind), kind))


def reason_label(reason):
    """An issue or discard reason code in words; free text (an adjustment's reason) as it is."""
    return said(ISSUE_REASONS.get(reason) or DISCARD_REASONS.get(reason)) or reason
