"""Demo people: the four demo logins, more volunteers, and the qualifications."""
from __future__ import annotations

from logistics import settings
from logistics.people import cli_services, services
from logistics.people.models import Qualification, Role, User

#: Demo logins: printed by the command and shown in the README. Demo only, never for real use.
DEMO_USERS = [
    ("admin@hopenow.example", "Astrid Admin", Role.ADMIN, "demo-admin-pass"),
    ("coordinator@hopenow.example", "Camilla Koordinator", Role.COORDINATOR, "demo-coordinator-pass"),
    ("staff@hopenow.example", "Søren Staff", Role.STAFF, "demo-staff-pass"),
    ("volunteer@hopenow.example", "Vera Volunteer", Role.VOLUNTEER, "demo-volunteer-pass"),
]

#: More volunteers, so shift pages have people on them (same password as the demo volunteer).
MORE_VOLUNTEERS = [
    "Amara Okafor", "Blessing Eze", "Mette Jensen", "Jonas Nielsen", "Ifeoma Adeyemi", "Lars Hansen",
    "Grace Obi", "Freja Larsen", "Chioma Nwosu", "Mads Pedersen", "Sofie Andersen", "Esther Bello",
    "Anders Christensen", "Ngozi Uche", "Ida Madsen", "Peter Sørensen", "Funmi Ade", "Karen Olsen",
]

QUALIFICATIONS = [
    ("hotline", "Hotline training", "Hotline-uddannelse", "Completed the hotline counselling course."),
    ("outreach", "Street outreach training", "Uddannelse i opsøgende arbejde", "Safety and conduct on outreach."),
    ("food_safety", "Food hygiene certificate", "Hygiejnebevis", "Handles food for distributions and cooking."),
    ("prison_visit", "Prison visit clearance", "Godkendt til fængselsbesøg", "Cleared by the Prison Service."),
    ("first_aid", "First aid", "Førstehjælp", "Valid first-aid certificate."),
    ("driver", "Driver", "Chauffør", "May drive the organisation's van."),
]


def _user(session, email, name, role, password, language: str = "en") -> User:
    user = services.find_by_email(session, email)
    if user is None:
        user = cli_services.create_user(session, email=email, role=role, password=password, full_name=name,
                                        locale=language)
    elif language == "da":
        user.locale = "da"  # asked for in Danish: the demo people read Danish pages from now on
    return user


def load(session, context: dict) -> None:
    """Create the demo people (idempotent); put them in ``context`` for the other areas."""
    # Demo mode: coordinators and admins may log in without two-factor login; every page says so.
    settings.set_value(session, "require_2fa_privileged", False)
    language = context.get("language", "en")
    users = {role: _user(session, email, name, role, pw, language) for email, name, role, pw in DEMO_USERS}
    volunteers = [users[Role.VOLUNTEER]]
    for i, name in enumerate(MORE_VOLUNTEERS, start=1):
        email = f"volunteer{i}@hopenow.example"
        volunteers.append(_user(session, email, name, Role.VOLUNTEER, "demo-volunteer-pass", language))
    for code, en, da, desc in QUALIFICATIONS:
        if session.query(Qualification).filter_by(code=code).first() is None:
            session.add(Qualification(code=code, name_en=en, name_da=da, description=desc))
    session.flush()
    context["users"], context["volunteers"] = users, volunteers
    context["lines"].append("Demo logins (demo data only; never use these passwords for real):")
    for email, _name, role, password in DEMO_USERS:
        context["lines"].append(f"  {role.value:<12} {email:<32} {password}")
