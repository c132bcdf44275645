"""Words for the tally's counts and the seeded partners, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

COUNT_LABELS = {
    "women": _l("Women"), "men": _l("Men"), "transgender": _l("Transgender"), "not_stated": _l("Not stated"),
    "new_contacts": _l("Of these, new contacts"), "calls": _l("Calls taken"), "visits": _l("Visits made"),
}

#: The seeded partners by code; the names of partners coordinators add are shown as typed.
PARTNER_LABELS = {
    "cmm": _l("CMM"), "reden": _l("Reden International"), "ami_ami": _l("Ami Ami"),
    "red_cross": _l("Red Cross clinic for undocumented migrants"), "hospital": _l("Hospital"), "other": _l("Other"),
}


def partner_label(partner) -> str:
    """A seeded partner keeps its translated name unless a coordinator renamed it."""
    from logistics.outreach.partners import SEED

    seeded = {code: name for code, name, _pos in SEED}
    if partner.code in PARTNER_LABELS and seeded.get(partner.code) == partner.name:
        return str(PARTNER_LABELS[partner.code])
    return partner.name


def count_label(name: str) -> str:
    return str(COUNT_LABELS.get(name, name))
