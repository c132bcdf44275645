"""The audit trail told as sentences and labels in the reader's language ("Søren changed the
outreach kit" with "Condoms 20 → 30" under it), instead of codes ("stock.kit_changed ·
stock_kit 3", "is_mobile True"). The entries stay as they are recorded; only their telling
is here. An action this table does not know yet is still shown, in general words."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.account.labels import ROLE_LABELS
from blueprints.shifts.labels import ACTIVITY_KIND_LABELS, COLOUR_LABELS, PLACE_KIND_LABELS
from blueprints.stock.labels import CATEGORY_LABELS, DISCARD_REASONS, FIT_LABELS, ISSUE_REASONS, UNIT_NAMES
from logistics.i18n import format_date, format_datetime, format_day_span, format_hours, format_month, format_time
from logistics.people.models import Role
from logistics.shifts import recurrence
from logistics.shifts.models import ActivityKind, PlaceKind

#: What happened, for the filter and for actions without a sentence of their own.
ACTION_LABELS = {
    "user.created": _l("Account created"), "user.invited": _l("Person invited"),
    "user.invitation_resent": _l("Invitation sent again"), "user.invitation_accepted": _l("Invitation accepted"),
    "user.password_changed": _l("Password changed"), "user.password_reset": _l("Password reset"),
    "user.profile_changed": _l("Profile changed"), "user.role_changed": _l("Role changed"),
    "user.activated": _l("Account reactivated"), "user.deactivated": _l("Account deactivated"),
    "user.qualification_granted": _l("Qualification granted"),
    "user.qualification_revoked": _l("Qualification revoked"), "user.erased": _l("Account erased"),
    "user.erasure_requested": _l("Erasure requested"), "user.erasure_request_withdrawn": _l("Erasure withdrawn"),
    "user.recovery_code_used": _l("Recovery code used"), "user.recovery_codes_renewed": _l("Recovery codes renewed"),
    "user.2fa_enabled": _l("Two-factor login on"), "user.2fa_disabled": _l("Two-factor login off"),
    "application.submitted": _l("Application received"), "application.approved": _l("Application approved"),
    "application.rejected": _l("Application turned down"),
    "qualification.created": _l("Qualification added"), "qualification.changed": _l("Qualification changed"),
    "setting.changed": _l("Setting changed"),
    "activity.created": _l("Activity created"), "activity.changed": _l("Activity changed"),
    "place.created": _l("Place added"), "place.changed": _l("Place changed"),
    "shift.created": _l("Shift planned"), "shift.changed": _l("Shift changed"),
    "shift.cancelled": _l("Shift cancelled"),
    "series.created": _l("Series created"), "series.changed": _l("Series changed"),
    "signup.created": _l("Signed up by someone else"), "signup.promoted": _l("Moved up from the waitlist"),
    "signup.cancel_approved": _l("Let off a shift"), "signup.cancel_declined": _l("Kept on a shift"),
    "signup.cancel_lapsed": _l("Request to be let off lapsed"),
    "signup.swapped": _l("Shift swapped"), "signup.assigned": _l("Put on a shift"),
    "signup.removed": _l("Taken off a shift"), "signup.attendance": _l("Attendance recorded"),
    "cover.requested": _l("Cover requested"),
    "stock.kit_changed": _l("Kit changed"), "stock.discarded": _l("Stock discarded"),
    "stock.expired_discarded": _l("Expired stock discarded"), "stock.adjusted": _l("Stock adjusted"),
    "stock.undone": _l("Movement undone"), "stock.lot_quarantined": _l("Lot blocked"),
    "stock.lot_released": _l("Lot released"), "stock.count_started": _l("Stocktake started"),
    "stock.count_finished": _l("Stocktake finished"), "stock.count_cancelled": _l("Stocktake cancelled"),
    "stock.item_created": _l("Item added"), "stock.item_changed": _l("Item changed"),
    "stock.minimum_changed": _l("Minimum level changed"), "stock.location_created": _l("Location added"),
    "stock.location_changed": _l("Location changed"), "stock.group_created": _l("Clothing group added"),
    "stock.bag_returned": _l("Bag returned"), "stock.recipe_changed": _l("Pack recipe changed"),
    "distribution.created": _l("Distribution planned"),
    "distribution.changed": _l("Planned packs changed"), "distribution.month_planned": _l("Month planned"),
    "distribution.packed": _l("Distribution packed"), "distribution.handed_out": _l("Hand-out recorded"),
    "distribution.cancelled": _l("Distribution cancelled"),
    "cooking.created": _l("Cooking event planned"), "cooking.ingredients_drawn": _l("Ingredients taken"),
    "cooking.diners_recorded": _l("Diners recorded"), "cooking.cancelled": _l("Cooking event cancelled"),
    "outreach.back_safe": _l("Back safe"), "outreach.checkout_cleared": _l("Cleared as back safe"),
    "outreach.tally_created": _l("Tally recorded"), "outreach.tally_changed": _l("Tally corrected"),
    "outreach.partner_created": _l("Partner added"), "outreach.partner_changed": _l("Partner changed"),
    "report.exact_export": _l("Report with exact small counts"),
}

#: The kinds of things entries are about, for the filter.
ENTITY_LABELS = {
    "user": _l("People"), "qualification": _l("Qualifications"), "setting": _l("Settings"),
    "activity": _l("Activities"), "place": _l("Places"), "shift": _l("Shifts"), "series": _l("Recurring series"),
    "signup": _l("Sign-ups"), "cover_request": _l("Cover requests"), "stock_item": _l("Stock items"),
    "stock_kit": _l("Kits"), "stock_location": _l("Locations"), "stock_lot": _l("Lots"),
    "stock_movement": _l("Stock movements"), "stock_stocktake": _l("Stocktakes"),
    "stock_product_group": _l("Clothing groups"), "stock_outreach": _l("Outreach bags"),
    "distribution": _l("Distributions"), "distribution_month": _l("Planned months"),
    "cooking_event": _l("Cooking events"),
    "outreach_partner": _l("Referral partners"), "report": _l("Reports"),
}

#: Sentences; %(who)s is who did it, %(name)s what it was done to (a person, a place, …).
SENTENCES = {
    "user.created": _l("%(who)s created an account for %(name)s"),
    "user.invited": _l("%(who)s invited %(name)s"),
    "user.invitation_resent": _l("%(who)s sent %(name)s a new invitation"),
    "user.invitation_accepted": _l("%(name)s accepted the invitation and set a password"),
    "user.password_changed": _l("%(name)s changed their password"),
    "user.password_reset": _l("%(name)s set a new password with a reset link"),
    "user.profile_changed": _l("%(who)s changed the profile of %(name)s"),
    "user.role_changed": _l("%(who)s changed the role of %(name)s"),
    "user.activated": _l("%(who)s reactivated the account of %(name)s"),
    "user.deactivated": _l("%(who)s deactivated the account of %(name)s"),
    "user.qualification_granted": _l("%(who)s granted %(name)s a qualification"),
    "user.qualification_revoked": _l("%(who)s revoked a qualification of %(name)s"),
    "user.erased": _l("%(who)s erased the account of %(name)s"),
    "user.erasure_requested": _l("%(name)s asked for their data to be erased"),
    "user.erasure_request_withdrawn": _l("%(name)s withdrew their request for erasure"),
    "user.recovery_code_used": _l("%(name)s logged in with a recovery code"),
    "user.recovery_codes_renewed": _l("%(name)s made new recovery codes"),
    "user.2fa_enabled": _l("%(name)s switched on two-factor login"),
    "user.2fa_disabled": _l("%(who)s switched off two-factor login for %(name)s"),
    "application.submitted": _l("%(name)s applied to volunteer"),
    "application.approved": _l("%(who)s approved the application of %(name)s"),
    "application.rejected": _l("%(who)s turned down the application of %(name)s"),
    "qualification.created": _l("%(who)s added the qualification %(name)s"),
    "qualification.changed": _l("%(who)s changed the qualification %(name)s"),
    "setting.changed": _l("%(who)s changed the setting “%(name)s”"),
    "activity.created": _l("%(who)s created the activity %(name)s"),
    "activity.changed": _l("%(who)s changed the activity %(name)s"),
    "place.created": _l("%(who)s added the place %(name)s"),
    "place.changed": _l("%(who)s changed the place %(name)s"),
    "shift.created": _l("%(who)s planned a shift: %(name)s"),
    "shift.changed": _l("%(who)s changed the shift %(name)s"),
    "shift.cancelled": _l("%(who)s cancelled the shift %(name)s"),
    "series.created": _l("%(who)s created a recurring series of %(name)s"),
    "series.changed": _l("%(who)s changed the recurring series of %(name)s"),
    "signup.created": _l("%(who)s signed %(person)s up for %(shift)s"),
    "signup.promoted": _l("%(person)s moved up from the waitlist onto %(shift)s"),
    "signup.cancel_approved": _l("%(who)s let %(person)s off %(shift)s"),
    "signup.cancel_declined": _l("%(who)s kept %(person)s on %(shift)s"),
    "signup.cancel_lapsed": _l("The request of %(person)s to be let off %(shift)s lapsed unanswered when it began"),
    "signup.swapped": _l("%(to)s took over the place of %(from)s on %(shift)s"),
    "signup.assigned": _l("%(who)s put %(person)s on %(shift)s"),
    "signup.removed": _l("%(who)s took %(person)s off %(shift)s"),
    "signup.attendance": _l("%(who)s recorded the attendance of %(person)s on %(shift)s"),
    "cover.requested": _l("%(who)s asked for cover: %(name)s"),
    "stock.kit_changed": _l("%(who)s changed the kit for %(name)s"),
    "stock.discarded": _l("%(who)s discarded %(name)s"),
    "stock.expired_discarded": _l("%(who)s discarded all the expired stock"),
    "stock.adjusted": _l("%(who)s adjusted the stock of %(name)s"),
    "stock.undone": _l("%(who)s undid a stock movement"),
    "stock.lot_quarantined": _l("%(who)s blocked a lot of %(name)s"),
    "stock.lot_released": _l("%(who)s released a blocked lot of %(name)s"),
    "stock.count_started": _l("%(who)s started a stocktake of %(name)s"),
    "stock.count_finished": _l("%(who)s finished a stocktake of %(name)s"),
    "stock.count_cancelled": _l("%(who)s cancelled a stocktake of %(name)s"),
    "stock.item_created": _l("%(who)s added the item %(name)s"),
    "stock.item_changed": _l("%(who)s changed the item %(name)s"),
    "stock.minimum_changed": _l("%(who)s changed the minimum level of %(name)s"),
    "stock.location_created": _l("%(who)s added the location %(name)s"),
    "stock.location_changed": _l("%(who)s changed the location %(name)s"),
    "stock.group_created": _l("%(who)s added the clothing group %(name)s"),
    "stock.bag_returned": _l("%(who)s recorded the return of %(name)s"),
    "stock.recipe_changed": _l("%(who)s changed the pack recipe for %(name)s"),
    "distribution.created": _l("%(who)s planned the distribution on %(name)s"),
    "distribution.changed": _l("%(who)s changed the planned packs of the distribution on %(name)s"),
    "distribution.month_planned": _l("%(who)s planned the distributions of %(name)s"),
    "distribution.packed": _l("%(who)s packed for the distribution on %(name)s"),
    "distribution.handed_out": _l("%(who)s recorded the hand-out of the distribution on %(name)s"),
    "distribution.cancelled": _l("%(who)s cancelled the distribution on %(name)s"),
    "cooking.created": _l("%(who)s planned the cooking event %(name)s"),
    "cooking.ingredients_drawn": _l("%(who)s took ingredients from stock for %(name)s"),
    "cooking.diners_recorded": _l("%(who)s recorded how many ate at %(name)s"),
    "cooking.cancelled": _l("%(who)s cancelled the cooking event %(name)s"),
    "outreach.back_safe": _l("%(who)s checked out back safe from %(name)s"),
    "outreach.checkout_cleared": _l("%(who)s cleared %(name)s as back safe"),
    "outreach.tally_created": _l("%(who)s recorded the tally of %(name)s"),
    "outreach.tally_changed": _l("%(who)s corrected the tally of %(name)s"),
    "outreach.partner_created": _l("%(who)s added the referral partner %(name)s"),
    "outreach.partner_changed": _l("%(who)s changed the referral partner %(name)s"),
    "report.exact_export": _l("%(who)s made a copy of the annual report for %(name)s with counts of 1 to 4 "
                              "shown exactly"),
}

#: Labels of the fields entries record.
FIELD_LABELS = {
    "name": _l("Name"), "full_name": _l("Full name"), "display_name": _l("Name others see"), "email": _l("Email"),
    "phone": _l("Phone"), "locale": _l("Language"), "languages": _l("Languages spoken"), "role": _l("Role"),
    "is_active": _l("Active"), "status": _l("Status"), "reason": _l("Reason"), "qualification": _l("Qualification"),
    "expires_on": _l("Valid until"), "code": _l("Code"), "name_en": _l("Name in English"),
    "name_da": _l("Name in Danish"), "description": _l("Description"), "kind": _l("Kind"), "colour": _l("Colour"),
    "briefing": _l("Briefing"), "briefing_da": _l("Briefing in Danish"),
    "qualifications": _l("Required qualifications"), "capacity_min": _l("People needed"),
    "capacity_max": _l("Places (maximum)"), "capacity": _l("People needed and places"),
    "cancel_cutoff_hours": _l("Cancel until (hours before)"), "signup_opens_days": _l("Sign-up opens (days before)"),
    "is_discreet": _l("Discreet"), "address": _l("Address"), "is_sensitive": _l("Sensitive place"),
    "activity": _l("Activity"), "place": _l("Place"), "place_id": _l("Place"), "starts_at": _l("Starts"),
    "ends_at": _l("Ends"), "note": _l("Note"), "rrule": _l("Repeats"), "starts_on": _l("First day"),
    "start_time": _l("Start time"), "duration_minutes": _l("Length"), "shifts": _l("Shifts made"),
    "shifts_changed": _l("Coming shifts changed"), "shifts_cancelled": _l("Coming shifts cancelled"),
    "shifts_created": _l("Shifts added"), "over_capacity": _l("Over capacity"), "attended": _l("Came"),
    "hours": _l("Hours"), "women": _l("Women"), "men": _l("Men"), "transgender": _l("Transgender"),
    "not_stated": _l("Not stated"), "new_contacts": _l("Of these, new contacts"), "calls": _l("Calls taken"),
    "visits": _l("Visits made"), "referrals": _l("Referrals by partner"), "position": _l("Order in the list"),
    "quantity": _l("Quantity"), "location": _l("Location"), "lines": _l("Lines"),
    "counted_lines": _l("Lines counted"), "differences": _l("Differences"), "was": _l("Blocked because"),
    "item": _l("Item"), "category": _l("Category"), "unit": _l("Unit"), "is_expiry_tracked": _l("Has expiry dates"),
    "min_level": _l("Minimum level"), "is_mobile": _l("A bag (goes out with a team)"), "size": _l("Size"),
    "fit": _l("Fit"), "notes": _l("Notes"), "bag": _l("Bag"), "shift": _l("Shift"),
    "handed_out": _l("Handed out"), "came_back": _l("Came back"), "early_reason": _l("Back before the shift because"),
    "compensating_movement": _l("Undone by movement"),
    "day": _l("Day"), "days": _l("Days"), "months": _l("Months"), "packs": _l("Packs"), "pack": _l("Pack"),
    "expected_diners": _l("Expected diners"), "actual_diners": _l("Diners"), "ingredients": _l("Ingredients"),
}

#: Settings by key, as the settings page names them.
SETTING_LABELS = {
    "require_2fa_privileged": _l("Coordinators and admins must use two-factor login"),
    "retention_months": _l("Retention period in months"),
    "shifts_hotline_max_hours_per_week": _l("Most hotline hours per volunteer in one week"),
    "shifts_rest_after_night_hours": _l("Hours of rest after a night shift"),
    "shifts_hotline_staff_needed": _l("People needed on the hotline at every hour"),
    "stock_expiry_warning_days": _l("Warn about stock expiring within (days)"),
    "outreach_checkout_grace_minutes": _l(
        "Minutes after street outreach before coordinators hear that someone is not back safe"),
}

#: The copies of a report (logistics.reports.annual.COPY_FORMATS).
COPY_WORDS = {"print": _l("Printable version"), "csv": _l("CSV file")}
STATUS_WORDS = {"scheduled": _l("Planned"), "cancelled": _l("Cancelled"), "confirmed": _l("Confirmed"),
                "waitlisted": _l("On the waitlist"), "pending": _l("Pending"), "approved": _l("Approved"),
                "rejected": _l("Turned down")}
LANGUAGE_WORDS = {"en": "English", "da": "Dansk"}
#: Keys the sentence already tells, or that only matter to the database.
TOLD = {"shift", "user", "from_user", "to_user", "movements", "activity_kind", "before", "after"}
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


@dataclass
class Detail:
    label: str
    value: str = ""
    before: str | None = None
    after: str | None = None

    @property
    def changed(self) -> bool:
        return self.before is not None or self.after is not None


@dataclass
class Told:
    """One entry as people read it."""

    entry: object
    sentence: str
    details: list[Detail] = field(default_factory=list)
    #: Where to see the thing it is about (an admin's page of the person), if there is one.
    link: tuple[str, dict] | None = None


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action) or action)


def entity_label(entity: str) -> str:
    return str(ENTITY_LABELS.get(entity) or entity)


def _person(row) -> str | None:
    return row.full_name if row is not None else None


def _shift(row) -> str | None:
    return f"{row.activity.name}, {format_day_span(row.starts_at, row.ends_at)}" if row is not None else None


def _name_of(entry, subjects: dict) -> str:
    """What the entry is about, in a few words."""
    kind = entry.entity
    key = int(entry.entity_id) if (entry.entity_id or "").isdigit() else None
    row = subjects.get((kind, key)) if key is not None else None
    changes = entry.changes or {}
    if kind == "user":
        return _person(row) or _("someone whose account is gone")
    if kind == "setting":
        return str(SETTING_LABELS.get(entry.entity_id, entry.entity_id))
    if kind == "shift":
        return _shift(row) or _("a shift that is gone")
    if kind == "series":
        return row.activity.name if row is not None else _("a series that is gone")
    if kind == "cover_request":
        activity = subjects.get(("activity", changes.get("activity")))
        when = _moment(changes["starts_at"]) if isinstance(changes.get("starts_at"), str) else ""
        return ", ".join(x for x in (activity.name if activity else "", when) if x)
    if kind == "stock_kit" and changes.get("pack"):
        return str(changes["pack"])
    if kind in ("distribution", "distribution_month") and isinstance(changes.get("day"), str) \
            and ISO_DATE.match(changes["day"]):
        return _value("day", changes["day"], entry, subjects)
    if kind == "distribution_month" and isinstance(changes.get("months"), list):
        return ", ".join(format_month(dt.date.fromisoformat(m)) for m in changes["months"]
                         if isinstance(m, str) and ISO_DATE.match(m))
    if kind == "stock_kit":
        return str(ACTIVITY_KIND_LABELS.get(ActivityKind(changes["activity_kind"]), changes["activity_kind"])) \
            if changes.get("activity_kind") in {k.value for k in ActivityKind} else _("an activity")
    if kind == "stock_item" and entry.action in ("stock.discarded", "stock.adjusted"):
        return f"{changes.get('quantity', '')} {row.full_name if row else ''}".strip()
    if kind == "stock_item":
        return row.full_name if row is not None else str(changes.get("name", ""))
    if kind == "stock_lot":
        return row.item.full_name if row is not None else str(changes.get("item", ""))
    if kind == "stock_stocktake":
        return row.location.name if row is not None else str(changes.get("location", ""))
    if kind == "stock_outreach":
        return row.bag_location.name if row is not None else str(changes.get("bag", ""))
    if kind == "report":  # its period, as the report's heading gives it
        return " – ".join(_value("day", changes.get(key), entry, subjects) for key in ("first", "last"))
    if row is not None and hasattr(row, "name") and isinstance(row.name, str):
        return row.name
    if row is not None and hasattr(row, "name"):  # a qualification: its name in the reader's language
        from logistics.i18n import current_language

        return row.name(current_language())
    return str(changes.get("name") or entity_label(kind))


def _value(key: str, value, entry, subjects: dict) -> str:
    """One recorded value in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(key, v, entry, subjects) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(key, v, entry, subjects)}" for k, v in value.items()) or "—"
    if key == "role" and value in {r.value for r in Role}:
        return str(ROLE_LABELS[Role(value)])
    if key == "kind" and entry.entity == "place" and value in {k.value for k in PlaceKind}:
        return str(PLACE_KIND_LABELS[PlaceKind(value)])
    if key == "kind" and value in {k.value for k in ActivityKind}:
        return str(ACTIVITY_KIND_LABELS[ActivityKind(value)])
    if key == "colour":
        return str(COLOUR_LABELS.get(value, value))
    if key == "category":
        return str(next((label for c, label in CATEGORY_LABELS.items() if c.value == value), value))
    if key == "fit":
        return str(next((label for f, label in FIT_LABELS.items() if f.value == value), value))
    if key == "unit":
        return str(UNIT_NAMES.get(value, value))
    if key == "reason":
        return str(ISSUE_REASONS.get(value) or DISCARD_REASONS.get(value) or value)
    if key == "status":
        return str(STATUS_WORDS.get(value, value))
    if key == "locale":
        return LANGUAGE_WORDS.get(value, value)
    if key == "name" and isinstance(value, str):
        # A name recorded as what is still the thing's first name: shown in the reader's language.
        key_id = int(entry.entity_id) if (entry.entity_id or "").isdigit() else None
        row = subjects.get((entry.entity, key_id))
        if row is not None and getattr(row, "name_en", None) == value and isinstance(row.name, str):
            return row.name
    if key in ("activity", "place", "place_id") and isinstance(value, int):
        row = subjects.get(("place" if key != "activity" else "activity", value))
        return row.name if row is not None else "—"
    if key == "rrule" and isinstance(value, str) and "FREQ=" in value:
        return recurrence.describe(value)
    if key == "duration_minutes" and isinstance(value, int):
        return _("%(hours)s h", hours=format_hours(value / 60))
    if isinstance(value, str):
        return _moment(value)
    return str(value)


def _moment(value: str) -> str:
    """A recorded date, time or instant in the reader's format; any other text (a name or a
    note that merely looks like "12:75") as it was written."""
    try:
        if ISO_DATETIME.match(value):
            return format_datetime(dt.datetime.fromisoformat(value))
        if ISO_DATE.match(value):
            return format_date(dt.date.fromisoformat(value))
        if ISO_TIME.match(value):
            return format_time(dt.time.fromisoformat(value))
    except ValueError:
        pass
    return value


def _label(key: str, entry) -> str:
    if entry.entity == "setting":
        return str(SETTING_LABELS.get(key, key))
    return str(FIELD_LABELS.get(key) or key.replace("_", " ").capitalize())


def _details(entry, subjects: dict) -> list[Detail]:
    changes = entry.changes or {}
    out: list[Detail] = []
    if entry.action == "stock.kit_changed":  # one line per item whose quantity changed
        before, after = changes.get("before") or {}, changes.get("after") or {}
        for item in sorted(set(before) | set(after)):
            if before.get(item) != after.get(item):
                out.append(Detail(item, before=before.get(item, "—"), after=after.get(item, "—")))
        return out
    if entry.action == "report.exact_export":  # the sentence gives the period
        return [Detail(_("Copy"), value=str(COPY_WORDS.get(changes.get("format"), changes.get("format") or "—")))]
    if entry.action == "stock.expired_discarded":
        for line in changes.get("lines") or []:
            out.append(Detail(f"{line.get('item')} ({line.get('lot') or '—'}, {line.get('location')})",
                              value=str(line.get("quantity"))))
        return out + [Detail(_label("reason", entry), value=_value("reason", changes.get("reason"), entry, subjects))]
    for key, value in changes.items():
        if key in TOLD or (key in ("activity", "starts_at", "ends_at") and entry.entity == "cover_request"):
            continue
        if key == "capacity" and isinstance(value, list) and len(value) == 2:  # people needed and places
            out.append(Detail(_label(key, entry), value=f"{value[0]}–{value[1]}"))
        elif _is_pair(key, value):
            out.append(Detail(_label(key, entry), before=_value(key, value[0], entry, subjects),
                              after=_value(key, value[1], entry, subjects)))
        else:
            out.append(Detail(_label(key, entry), value=_value(key, value, entry, subjects)))
    return out


#: Fields whose value is itself a list: a change of them is a pair of lists.
LIST_FIELDS = {"qualifications", "languages", "lines", "movements"}


def _is_pair(key: str, value) -> bool:
    """A [before, after] pair, as audit.diff records a change."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    return key not in LIST_FIELDS or all(isinstance(v, list) for v in value)


def tell(entry, subjects: dict) -> Told:
    """One entry as a sentence with its details."""
    changes = entry.changes or {}
    who = entry.actor.full_name if entry.actor is not None else _("The system")
    words = {"who": who, "name": _name_of(entry, subjects)}
    if entry.entity == "signup":
        signup = subjects.get(("signup", int(entry.entity_id))) if (entry.entity_id or "").isdigit() else None
        person = subjects.get(("user", changes.get("user") or (signup.user_id if signup else None)))
        shift = subjects.get(("shift", changes.get("shift") or (signup.shift_id if signup else None)))
        words.update(person=_person(person) or _("someone"), shift=_shift(shift) or _("a shift"),
                     to=_person(subjects.get(("user", changes.get("to_user")))) or _("someone"),
                     **{"from": _person(subjects.get(("user", changes.get("from_user")))) or _("someone")})
    sentence = SENTENCES.get(entry.action)
    if sentence is not None:
        text = str(sentence) % words
    else:  # an action added since: still readable
        text = _("%(who)s: %(what)s", who=who, what=action_label(entry.action))
        if entry.entity_id:
            text += f" · {entity_label(entry.entity)} {entry.entity_id}"
    link = None
    if entry.entity == "user" and (entry.entity_id or "").isdigit() and ("user", int(entry.entity_id)) in subjects:
        link = ("admin.user", {"user_id": int(entry.entity_id)})
    return Told(entry=entry, sentence=text, details=_details(entry, subjects), link=link)


def tell_all(entries, subjects: dict) -> list[Told]:
    return [tell(e, subjects) for e in entries]
