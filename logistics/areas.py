"""Every area of the platform, in one list, with what each adds to the whole: its tables,
periodic sweeps, commands, its part of a person's data export and of erasure, demo data and
navigation entries.

The factory (:mod:`logistics.app`), the worker (``worker.py``) and the web layer read this
list; nothing registers itself by being imported. A new area adds one ``Area(...)`` here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import click
from flask_babel import lazy_gettext as _l

from logistics import cli as core_cli
from logistics import jobs as core_jobs
from logistics import once
from logistics.audit import models as audit_models
from logistics.cooking import demo as cooking_demo
from logistics.cooking import models as cooking_models
from logistics.distributions import demo as distributions_demo
from logistics.distributions import models as distributions_models
from logistics.notifications import cli as notifications_cli
from logistics.notifications import export as notifications_export
from logistics.notifications import jobs as notifications_jobs
from logistics.notifications import models as notifications_models
from logistics.outreach import demo as outreach_demo
from logistics.outreach import export as outreach_export
from logistics.outreach import jobs as outreach_jobs
from logistics.outreach import models as outreach_models
from logistics.people import cli as people_cli
from logistics.people import demo as people_demo
from logistics.people import export as people_export
from logistics.people import jobs as people_jobs
from logistics.people import models as people_models
from logistics.people.models import Role
from logistics.shifts import cli as shifts_cli
from logistics.shifts import demo as shifts_demo
from logistics.shifts import export as shifts_export
from logistics.shifts import filters as shifts_filters
from logistics.shifts import jobs as shifts_jobs
from logistics.shifts import models as shifts_models
from logistics.shifts import signups as shifts_signups
from logistics.stock import cli as stock_cli
from logistics.stock import demo as stock_demo
from logistics.stock import models as stock_models


@dataclass(frozen=True)
class Sweep:
    """Periodic work: ``job`` (an RQ job function taking no arguments) runs once per
    ``every``; the slot's deterministic job id keeps two workers from running it twice."""

    name: str
    job: Callable[[], object]
    every: dt.timedelta


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to ``role`` and the roles above it."""

    endpoint: str
    label: object  # a lazy string, translated when the page renders
    role: Role
    order: int
    #: Endpoints starting with this mark the entry as the current page ("stock." for all stock pages).
    prefix: str | None = None
    #: Entries with the same group (a lazy label) fold into one menu, so the navigation
    #: stays on one line on a desktop (the administration pages: "Administration").
    group: object | None = None


@dataclass(frozen=True)
class Area:
    name: str
    #: The module whose import puts the area's tables on the metadata (None: no tables).
    models: ModuleType | None = None
    sweeps: tuple[Sweep, ...] = ()
    #: ``flask --app wsgi …`` commands and groups.
    commands: tuple[click.Command, ...] = ()
    #: (section name, function(session, user) -> JSON-ready data) for "download my data".
    export: tuple[tuple[str, Callable], ...] = ()
    #: Functions(session, user) that erasure calls after the personal fields are blanked.
    erasure: tuple[Callable, ...] = ()
    #: A function(session, context) that loads idempotent demo data; ``context`` carries
    #: what earlier areas made ("users" by role, "volunteers", "lines" to print).
    demo: Callable | None = None
    nav: tuple[NavEntry, ...] = ()


#: The administration pages share one menu in the navigation.
ADMIN_MENU = _l("Administration")
#: The coordinators' shift pages (staffing, coverage, activities, back safe), their people
#: pages (volunteers, applications) and the reports share a menu each, so a coordinator's or
#: admin's navigation stays on one line on a laptop.
COORDINATION_MENU = _l("Coordination")
REPORTS_MENU = _l("Reports")
PEOPLE_MENU = _l("People")

AREAS: tuple[Area, ...] = (
    Area(
        "core",
        models=once,  # one-time form tokens
        sweeps=(Sweep("core.prune_form_tokens", core_jobs.prune_form_tokens, dt.timedelta(days=1)),),
        commands=(core_cli.demo_data,),
        nav=(
            NavEntry("admin.settings", _l("Settings"), Role.ADMIN, 62, prefix="admin.settings", group=ADMIN_MENU),
            NavEntry("admin.outbox", _l("Outbox"), Role.ADMIN, 63, prefix="admin.outbox", group=ADMIN_MENU),
        ),
    ),
    Area(
        "audit",
        models=audit_models,
        nav=(NavEntry("admin.audit", _l("Audit trail"), Role.ADMIN, 61, prefix="admin.audit", group=ADMIN_MENU),),
    ),
    Area(
        "people",
        models=people_models,
        sweeps=(Sweep("people.prune_login_failures", people_jobs.prune_login_failures, dt.timedelta(hours=6)),),
        commands=(people_cli.create_user,),
        export=people_export.SECTIONS,
        demo=people_demo.load,
        nav=(
            NavEntry("admin.volunteers", _l("Volunteers"), Role.COORDINATOR, 50, prefix="admin.volunteer",
                     group=PEOPLE_MENU),
            NavEntry("people.applications", _l("Applications"), Role.COORDINATOR, 51, prefix="people.",
                     group=PEOPLE_MENU),
            NavEntry("admin.users", _l("Users"), Role.ADMIN, 60, prefix="admin.user", group=ADMIN_MENU),
        ),
    ),
    Area(
        "shifts",
        models=shifts_models,
        # Keep every recurring series generated to the rolling horizon; let requests to be
        # let off a shift, and offers to swap it, lapse once it has begun.
        sweeps=(Sweep("shifts.extend_series", shifts_jobs.extend_series, dt.timedelta(hours=6)),
                Sweep("shifts.lapse_begun_requests", shifts_jobs.lapse_begun_requests,
                      dt.timedelta(hours=1))),
        commands=(shifts_cli.shifts,),
        export=(("shifts", shifts_export.signups), ("shift_filters", shifts_filters.export)),
        erasure=(shifts_signups.on_erasure, shifts_filters.forget),
        demo=shifts_demo.load,
        nav=(
            NavEntry("shifts.mine", _l("My shifts"), Role.VOLUNTEER, 10),
            NavEntry("shifts.open_shifts", _l("Open shifts"), Role.VOLUNTEER, 11),
            NavEntry("shifts.calendar_week", _l("Calendar"), Role.VOLUNTEER, 12, prefix="shifts.calendar_"),
            NavEntry("shifts.staffing", _l("Staffing"), Role.COORDINATOR, 40, group=COORDINATION_MENU),
            NavEntry("shifts.coverage", _l("Coverage"), Role.COORDINATOR, 41, group=COORDINATION_MENU),
            NavEntry("shifts.activities", _l("Activities"), Role.COORDINATOR, 42, prefix="shifts.activit",
                     group=COORDINATION_MENU),
        ),
    ),
    Area(
        "stock",
        models=stock_models,
        commands=(stock_cli.stock,),
        demo=stock_demo.load,
        nav=(NavEntry("stock.overview", _l("Stock"), Role.STAFF, 30, prefix="stock."),),
    ),
    Area(
        "distributions",
        models=distributions_models,
        demo=distributions_demo.load,
        nav=(NavEntry("distributions.index", _l("Distributions"), Role.STAFF, 31, prefix="distributions."),),
    ),
    Area(
        "cooking",
        models=cooking_models,
        demo=cooking_demo.load,
        nav=(NavEntry("cooking.index", _l("Cooking"), Role.STAFF, 32, prefix="cooking."),),
    ),
    Area(
        "outreach",
        models=outreach_models,
        export=outreach_export.SECTIONS,
        demo=outreach_demo.load,
        # Street outreach: alert the coordinators once when someone is not back safe.
        sweeps=(Sweep("outreach.alert_not_back", outreach_jobs.alert_not_back, dt.timedelta(minutes=5)),),
        nav=(
            NavEntry("outreach.not_back", _l("Back safe"), Role.COORDINATOR, 43, prefix="outreach.",
                     group=COORDINATION_MENU),
        ),
    ),
    Area(
        "reports",
        nav=(NavEntry("reports.annual", _l("Annual report"), Role.COORDINATOR, 44, prefix="reports.annual",
                      group=REPORTS_MENU),
             NavEntry("reports.hours", _l("Volunteer hours"), Role.COORDINATOR, 45, prefix="reports.hours",
                      group=REPORTS_MENU)),
    ),
    Area(
        "notifications",
        models=notifications_models,
        # Events into rows, due reminders, and rows whose job was lost: every minute.
        sweeps=(Sweep("notifications.sweep", notifications_jobs.sweep, dt.timedelta(minutes=1)),
                # The morning summaries go from 07:00 local (a row per person and day).
                Sweep("notifications.digests", notifications_jobs.digests, dt.timedelta(minutes=15)),
                # Nightly (00:00 UTC): the stock ledger against the balances, admins told of a drift.
                Sweep("notifications.check_ledger", notifications_jobs.check_ledger, dt.timedelta(days=1))),
        commands=(notifications_cli.notify, notifications_cli.feeds_group),
        export=notifications_export.SECTIONS,
        erasure=(notifications_export.on_erasure,),
        nav=(NavEntry("notifications.admin_list", _l("Notifications"), Role.ADMIN, 64,
                      prefix="notifications.admin", group=ADMIN_MENU),),
    ),
)


def sweeps() -> list[Sweep]:
    return [sweep for area in AREAS for sweep in area.sweeps]


def nav_entries() -> list[NavEntry]:
    return sorted((entry for area in AREAS for entry in area.nav), key=lambda e: e.order)


def export_sections() -> list[tuple[str, Callable]]:
    return [section for area in AREAS for section in area.export]


def erasure_hooks() -> list[Callable]:
    return [hook for area in AREAS for hook in area.erasure]
