"""The audit trail in sentences and labels, in English and Danish: every action the code
records has its sentence and its filter label; a kit change reads "… changed the kit for
Street outreach" with "Condoms 20 → 30" under it; the trail of the demo data shows no codes."""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale

from blueprints.admin import audit_words
from logistics import demo
from logistics.audit import queries as audit_queries
from logistics.audit.models import AuditEntry
from logistics.extensions import db
from logistics.stock import catalogue, kits
from tests import factories
from tests.stock.conftest import make_item

ROOT = Path(__file__).resolve().parents[2]
AREAS = (r"(?:user|application|qualification|setting|activity|place|shift|series|signup|cover|stock|report"
         r"|distribution|cooking|outreach)")


def recorded_actions() -> set[str]:
    """Every action string the domain passes to audit.record."""
    found = set()
    for path in (ROOT / "logistics").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit.record(" not in text:
            continue
        found |= set(re.findall(rf'"({AREAS}\.[a-z0-9_]+)"', text))
    return found


def test_every_recorded_action_has_a_sentence_and_a_label():
    actions = recorded_actions()
    assert len(actions) > 50
    assert not actions - set(audit_words.SENTENCES), sorted(actions - set(audit_words.SENTENCES))
    assert not actions - set(audit_words.ACTION_LABELS), sorted(actions - set(audit_words.ACTION_LABELS))


def _told(action):
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id.desc())).first()
    return audit_words.tell(entry, audit_queries.subjects(db.session, [entry]))


def test_a_kit_change_as_a_sentence_in_english_and_danish(app):
    with app.test_request_context():
        staff = factories.user("staff", full_name="Søren Staff")
        condoms = make_item("Condoms", "hygiene", unit="box", expiry=False, by=staff)
        kits.save_kit(db.session, "street_outreach", {condoms.id: "20"}, by=staff)
        kits.save_kit(db.session, "street_outreach", {condoms.id: "30"}, by=staff)
        catalogue.save_location(db.session, None, name="Second bag", is_mobile=True, by=staff)
        with force_locale("en_GB"):
            told = _told("stock.kit_changed")
            assert told.sentence == "Søren Staff changed the kit for Street outreach"
            assert [(d.label, d.before, d.after) for d in told.details] == [("Condoms", "20", "30")]
            bag = _told("stock.location_created")
            assert bag.sentence == "Søren Staff added the location Second bag"
            assert ("A bag (goes out with a team)", "yes") in [(d.label, d.value) for d in bag.details]
        with force_locale("da_DK"):
            told = _told("stock.kit_changed")
            assert told.sentence == "Søren Staff ændrede tasken til Opsøgende arbejde"
            assert ("Taske (går ud med et hold)", "ja") in [(d.label, d.value) for d in _told(
                "stock.location_created").details]
        db.session.rollback()


def test_the_demo_trail_reads_as_sentences_without_codes(app, client, login):
    with app.app_context():
        demo.load(db.session)
        db.session.commit()
    admin = login("admin")
    for language in ("en", "da"):
        client.post("/language", data={"lang": language, "next": "/admin/audit"})
        with app.app_context():
            total = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
        for page in range(1, (total - 1) // 50 + 2):
            html = client.get(f"/admin/audit?page={page}").get_data(as_text=True)
            trail = html.split('<ol class="list audit-list">')[1].split("</ol>")[0]
            codes = re.findall(rf"\b{AREAS}\.[a-z_]+\b|\b(?:is|stock)_[a-z_]+\b|\bFREQ=", trail)
            assert not codes, (language, page, codes[:5])
            assert trail.count("<li>") == min(50, total - 50 * (page - 1))
    assert admin is not None


def test_a_cover_request_names_its_activity_and_time(app):
    """The recorded start is an ISO string in the entry's changes; it reads as a date and time
    (this once raised inside Babel, a 500 on the audit page)."""
    from logistics.shifts import planning
    from tests.shifts import helpers

    with app.test_request_context():
        coordinator = factories.user("coordinator", full_name="Carla Coordinator")
        act = helpers.activity("hotline")
        planning.request_cover(db.session, activity=act, starts_at=helpers.local(2026, 12, 3, 16),
                               ends_at=helpers.local(2026, 12, 3, 20), by=coordinator)
        with force_locale("en_GB"):
            told = _told("cover.requested")
            assert f"{act.name}, 3 Dec 2026, 16:00" in told.sentence
        with force_locale("da"):
            assert f"{act.name}, 3. dec. 2026 kl. 16.00" in _told("cover.requested").sentence


def test_text_that_only_looks_like_a_date_or_time_is_shown_as_written(app):
    """A name or note such as "12:75" or "2026-02-30" matched the date patterns and raised
    (a 500 on the audit page on PostgreSQL, found by the fuzz walk)."""
    with app.test_request_context(), force_locale("en_GB"):
        assert audit_words._moment("12:75") == "12:75"
        assert audit_words._moment("2026-02-30") == "2026-02-30"
        assert audit_words._moment("2026-02-30T10:00") == "2026-02-30T10:00"
        assert audit_words._moment("2026-12-03") == "3 Dec 2026"
        assert audit_words._moment("16:30") == "16:30"
