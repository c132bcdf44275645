"""No English left on a Danish page: every page of every role (read from the app's URL map,
as the 360 px walk does), with the demo data loaded in Danish, is read in Danish, and no
visible text may be an English string whose Danish differs: a msgid of our catalogues, nor
contain one of two words or more, nor the English name of a demo activity, place, item or
location that has a Danish one (except on the
audit trail, whose details are the values as they were recorded: an activity created with the
name "Street outreach" was created with that name).

Two walks: the test client reads the text nodes of the HTML (fast suite), and Chromium reads
the text nodes the browser shows (marker ``browser``)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from logistics import demo
from logistics.extensions import db
from tests.test_i18n import _danish
from tests.test_phone_width import PASSWORDS, RANK, _pages, _params

#: Visible text that may be English on a Danish page: names and words that are the same, or
#: are proper names, in Danish (a text equal to its own translation never counts anyway).
ALLOWED = {"HopeNow", "HopeNow Logistics", "English", "OK", "CSV", "JSON", "Edo (Bini)"}
#: Elements whose text is not shown.
HIDDEN = {"script", "style", "template", "noscript"}
#: Attributes a person reads (or a screen reader speaks).
READ_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts


#: Pages that show recorded values (the audit trail): checked for the interface's English only,
#: not for the names things were recorded with.
RECORDS = ("/admin/audit",)


def english_words(app) -> dict[str, str]:
    """English text → its Danish, for every msgid of ours whose Danish differs."""
    english = {msgid: text for msgid, text in _danish().items()
               if "\x04" not in msgid and text.strip() != msgid.strip() and "%" not in msgid}
    return {en: da for en, da in english.items() if en not in ALLOWED}


def english_phrases(app) -> dict[str, str]:
    """The msgids of two words or more (and their Danish), which may not appear inside a text
    either ("Street outreach ×3")."""
    return {en: da for en, da in english_words(app).items() if len(en.split()) >= 2 and len(en) >= 10}


def demo_names(app) -> dict[str, str]:
    """The English name → the Danish one, of every activity, place, item, product group and
    location named differently in Danish."""
    from logistics.shifts.models import Activity, Place
    from logistics.stock.models import Item, Location, ProductGroup

    names = {}
    with app.app_context():
        for model in (Activity, Place, Item, Location, ProductGroup):
            for en, da in db.session.execute(sa.select(model.name_en, model.name_da).where(model.name_da.is_not(None))):
                if en != da and en not in ALLOWED:
                    names[en] = da
    return names


def english_on(texts: list[str], english: dict[str, str], names: dict[str, str] | None = None) -> list[str]:
    """Texts that are an English msgid, or that contain an English name (as whole words)."""
    found = {f"{text!r} (Danish: {english[text]!r})" for text in texts if text in english}
    if names:
        pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                             + r")(?!\w)")
        for text in texts:
            for name in pattern.findall(text):
                found.add(f"{text!r} names {name!r} (Danish: {names[name]!r})")
    return sorted(found)


@pytest.fixture
def danish_demo(app):
    with app.app_context():
        demo.load(db.session, language="da")
        db.session.commit()
    params = _params(app)
    return _pages(app, params)


def test_the_check_finds_english_text():
    texts = visible_texts('<h1>Open shifts</h1><p title="Log out">Ledige <b>vagter</b></p>'
                          '<script>var x = "Open shifts";</script><input placeholder="Search">')
    assert texts == ["Open shifts", "Log out", "Ledige", "vagter", "Search"]
    assert english_on(texts, {"Open shifts": "Ledige vagter", "Search": "Søg"}) == [
        "'Open shifts' (Danish: 'Ledige vagter')", "'Search' (Danish: 'Søg')"]
    assert english_on(["Winter jacket — kvinder — M", "Vinterjakke"], {}, {"Winter jacket": "Vinterjakke"}) == [
        "'Winter jacket — kvinder — M' names 'Winter jacket' (Danish: 'Vinterjakke')"]


def test_no_english_on_the_danish_pages_of_any_role(app, make_client, auth, danish_demo):
    from tests.conftest import Auth

    english, names = english_words(app), {**english_phrases(app), **demo_names(app)}
    assert "Open shifts" in english and "Storeroom" in names and "Street outreach" in names
    problems, walked = [], 0
    public = make_client()
    for url in danish_demo.get("public", []):
        response = public.get(url, headers={"Accept-Language": "da"})
        assert response.status_code < 500, url
        problems += [f"{url}: {p}" for p in english_on(visible_texts(response.get_data(as_text=True)), english, names)]
        walked += 1
    for role in ("volunteer", "staff", "coordinator", "admin"):
        client = make_client()
        with app.app_context():
            from logistics.people.models import User

            user = db.session.scalar(sa.select(User).where(User.email == f"{role}@hopenow.example"))
            assert user.locale == "da"
        assert Auth(client).login(user, password=PASSWORDS[role]).status_code == 302
        for least, urls in danish_demo.items():
            if least != "public" and RANK[least] <= RANK[role]:
                for url in urls:
                    response = client.get(url)
                    assert response.status_code < 500, url
                    if "text/html" in (response.content_type or ""):
                        found = english_on(visible_texts(response.get_data(as_text=True)), english,
                                           None if url.startswith(RECORDS) else names)
                        problems += [f"{role} {url}: {p}" for p in found]
                    walked += 1
    assert walked > 100
    assert not problems, "English on Danish pages:\n" + "\n".join(problems)


TEXT_NODES_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || el.closest('script,style,template,noscript')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) continue;
    out.push(text.split(/\\s+/).join(' '));
  }
  for (const el of document.querySelectorAll('[placeholder],[aria-label]')) {
    for (const name of ['placeholder', 'aria-label']) if (el.getAttribute(name)) out.push(el.getAttribute(name).trim());
  }
  out.push(document.title.trim());
  return out;
}"""


@pytest.mark.browser
def test_no_english_in_chromium_on_the_danish_pages_of_any_role(app, browser, live_server, danish_demo):
    english, names = english_words(app), {**english_phrases(app), **demo_names(app)}
    problems, read = [], []
    for role in ("public", "volunteer", "staff", "coordinator", "admin"):
        context = browser.new_context(base_url=live_server, locale="da-DK")
        page = context.new_page()
        if role != "public":
            page.goto("/login")
            page.fill("#email", f"{role}@hopenow.example")
            page.fill("#password", PASSWORDS[role])
            page.locator("form.stack button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
        for least, urls in danish_demo.items():
            if (least == "public") == (role == "public") and RANK[least] <= RANK[role]:
                for url in urls:
                    response = page.goto(url)
                    assert response is not None and response.status < 500, url
                    if "text/html" in (response.headers.get("content-type") or ""):
                        texts = page.evaluate(TEXT_NODES_JS)
                        read += texts
                        found = english_on(texts, english, None if url.startswith(RECORDS) else names)
                        problems += [f"{role} {url}: {p}" for p in found]
        context.close()
    assert len(read) > 2000 and "Ledige vagter" in read and "Opsøgende arbejde" in read  # the walk really read
    assert not problems, "English on Danish pages:\n" + "\n".join(problems)
