"""Hostile input everywhere, as an attacker sends it: every route of the URL map and every
form of every page, as each role, with huge and negative numbers, 2^31 and 2^63 ids, NaN and
1e30, NUL and control characters, 10,000-character strings, right-to-left and combining
characters, impossible dates and other people's ids. No answer may be a 500.

Bounded in time (``FUZZ_SECONDS``, 60 s by default, so CI stays in its budget); ``make fuzz``
runs it for ten minutes. The walk is seeded (``FUZZ_SEED``) so a failure can be replayed.
"""
from __future__ import annotations

import os
import random
import secrets
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from logistics import demo
from logistics.extensions import db

pytestmark = pytest.mark.fuzz

SECONDS = float(os.environ.get("FUZZ_SECONDS", "60"))
SEED = int(os.environ.get("FUZZ_SEED", "20261130"))

PASSWORDS = {"volunteer": "demo-volunteer-pass", "staff": "demo-staff-pass",
             "coordinator": "demo-coordinator-pass", "admin": "demo-admin-pass"}
#: Never sent: they end the session the walk runs in (the login is redone when it ends anyway).
SKIP_ENDPOINTS = {"auth.logout", "static"}
SKIP_PATHS = {"/logout"}

IDS = ["2147483648", "9223372036854775808", "-1", "0", "-2147483649", "99999999999999999999", "1", "2", "7"]
NUMBERS = ["1e30", "-1e30", "NaN", "nan", "inf", "-Infinity", "1e-30", "0.0000001", "²", "١٢", "1,5", "1.000",
           "12,500,000", "0x10", " 3 ", "+5", "-0"]
TEXT = ["a\x00b", "\x01\x02\x1b[31mred", "x" * 10_000, "\u202eevil.pdf", "é" + "\u0301" * 60,
        "<script>alert(1)</script>", "' OR 1=1 --", "%s%n%x", "🙂" * 200, "\r\n\r\nHeader: injected", "", " "]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "10000-01-01", "2026-1-1", "today", "1900-01-01"]
MONTHS = ["9999-12", "0000-00", "0001-01", "2026-13", "abc"]
TIMES = ["25:00", "99:99", "-1:00", "24:00", "12:60"]
DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "2026-03-29T02:30", "x"]
ANY = IDS + NUMBERS + TEXT + DATES + TIMES + DATETIMES + MONTHS
#: Query-string arguments the views read, and what to send in them.
QUERY = {"start": DATES, "end": DATES, "month": MONTHS, "page": IDS, "activity": IDS, "activity_id": IDS,
         "location_id": IDS, "item_id": IDS, "shift_id": IDS, "from_location_id": IDS + ["abc", "²"],
         "bag_location_id": IDS, "product_group_id": IDS + ["x"], "days": IDS, "q": TEXT, "category": TEXT,
         "kind": TEXT, "next": ["//evil.example", "/\t/evil.example", "javascript:alert(1)"],
         "starts_at": DATETIMES, "ends_at": DATETIMES, "status": TEXT, "role": TEXT, "date_from": DATES,
         "date_to": DATES, "lot_id": IDS, "below": TEXT, "language": TEXT, "entity_id": TEXT}


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # name, type, value, options


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: tuple[str, list[str]] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form((a.get("method") or "get").lower(), a.get("action") or ""))
        elif not self.forms:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.forms[-1].fields.append((a["name"], kind, "", [a.get("value") or "y"]))
            else:
                self.forms[-1].fields.append((a["name"], kind, a.get("value") or "", []))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1].fields.append((a["name"], "textarea", "", []))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self.forms:
            name, opts = self._select
            self.forms[-1].fields.append((name, "select", opts[0] if opts else "", opts))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _hostile_for(kind: str, name: str, rng: random.Random) -> str:
    if kind == "date" or name.endswith(("_on", "date_from", "date_to")) or name in ("start", "end", "until"):
        pool = DATES
    elif kind == "time" or name.endswith("_time"):
        pool = TIMES
    elif kind == "datetime-local" or name.endswith("_at"):
        pool = DATETIMES
    elif kind == "number" or name.endswith(("_id", "id")) or name in ("quantity", "capacity_min", "capacity_max"):
        pool = IDS + NUMBERS
    else:
        pool = ANY
    return rng.choice(pool)


@dataclass
class Walk:
    app: object
    rng: random.Random
    deadline: float
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def send(self, client, method: str, url: str, data=None) -> object | None:
        self.requests += 1
        # Another address now and then, as many clients would be: the per-address login limit
        # is tested elsewhere and must not end the walk.
        client.environ_base["REMOTE_ADDR"] = f"10.{self.requests // 20 % 250}.{self.rng.randrange(250)}.1"
        try:
            if method == "post":
                r = client.post(url, data=data, once=False)
            else:
                r = client.get(url)
        except Exception as exc:  # noqa: BLE001 - in tests a 500 raises: that is what we look for
            self.failures.append(f"{method.upper()} {url[:200]} {_short(data)}\n{_where(exc)}")
            return None
        if r.status_code >= 500 and r.status_code != 503:
            self.failures.append(f"{method.upper()} {url[:200]} {_short(data)} -> {r.status_code}")
        return r

    @property
    def time_left(self) -> bool:
        return time.monotonic() < self.deadline


def _where(exc: BaseException) -> str:
    """The project's own frames of the traceback, and the error."""
    frames = [f"  {f.filename.split('/work/')[-1]}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__)
              if "site-packages" not in f.filename and "/tests/" not in f.filename]
    return "\n".join(frames[-4:] + [f"  {type(exc).__name__}: {str(exc)[:200]}"])


def _short(data) -> str:
    if not data:
        return ""
    return "{" + ", ".join(f"{k}={str(v)[:40]!r}" for k, v in list(data.items())[:12]) + "}"


def _login(app, role: str):
    from tests.conftest import Client

    app.test_client_class = Client
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.251.{secrets.randbelow(250)}.1"
    with app.app_context():  # the walk may have switched two-factor login on, or deactivated the role
        from logistics import settings
        from logistics.people.models import User

        settings.set_value(db.session, "require_2fa_privileged", False)
        user = db.session.scalar(sa.select(User).where(User.email == f"{role}@hopenow.example"))
        if user is not None:
            user.is_active = True
        db.session.commit()
    if role != "visitor":
        r = client.post("/login", data={"email": f"{role}@hopenow.example", "password": PASSWORDS[role]})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], (role, r.status_code)
    return client


def _routes(app):
    """(endpoint, rule) for every route a browser can call, with hostile path values."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        out.append(rule)
    return out


def _build(rule, values: dict) -> str | None:
    try:
        path = rule.build(values, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - a value the converter refuses: not a URL of the app
        return None
    return path


def _path_values(rule, rng: random.Random) -> dict:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        if converter is not None and type(converter).__name__ in ("IdConverter", "IntegerConverter"):
            values[arg] = rng.choice([1, 2, 3, 5, 8, 13, 2**31 - 1])
        else:
            values[arg] = rng.choice(["x", "a" * 300, "..%2F..", "street_outreach", "%00", "1e30", "ünïcødé"])
    return values


def _fuzz_form(walk: Walk, client, page_url: str, form: Form) -> None:
    action = form.action or page_url
    if urlsplit(action).netloc or urlsplit(action).path in SKIP_PATHS:
        return
    base = {name: value for name, kind, value, _opts in form.fields
            if kind not in ("submit",) and value is not None}
    for name, kind, _value, opts in form.fields:
        if kind in ("checkbox", "radio") and opts:
            base.setdefault(name, opts[0])
        if kind == "select" and opts and not base.get(name):
            base[name] = walk.rng.choice(opts)
    names = [n for n, k, _v, _o in form.fields if n not in ("csrf_token", "once") and k != "submit"]
    buttons = [(n, v) for n, k, v, _o in form.fields if k == "submit" and n]
    for _ in range(3 if names else 1):
        if not walk.time_left:
            return
        data = dict(base)
        for name in walk.rng.sample(names, k=min(len(names), walk.rng.choice([1, 1, 2, len(names) or 1]))):
            kind = next(k for n, k, _v, _o in form.fields if n == name)
            data[name] = _hostile_for(kind, name, walk.rng)
        if buttons:
            button = walk.rng.choice(buttons)
            data[button[0]] = button[1]
        if form.method == "post":
            data["once"] = secrets.token_urlsafe(24)  # a fresh one-time token, as a new page would have
            walk.send(client, "post", action, data)
        else:
            walk.send(client, "get", action.split("?")[0] + "?" + urlencode(data))


def _walk_role(walk: Walk, role: str) -> None:
    app = walk.app
    client = _login(app, role)
    rules = _routes(app)
    walk.rng.shuffle(rules)
    pages: list[str] = []
    for rule in rules:
        if not walk.time_left:
            break
        method = "get" if "GET" in rule.methods else "post"
        for _ in range(2 if rule.arguments else 1):
            url = _build(rule, _path_values(rule, walk.rng))
            if url is None:
                continue
            if method == "get":
                query = {k: walk.rng.choice(v) for k, v in walk.rng.sample(sorted(QUERY.items()), k=3)}
                r = walk.send(client, "get", url + "?" + urlencode(query))
                r = walk.send(client, "get", url)
                if r is not None and r.status_code == 200 and r.mimetype == "text/html":
                    pages.append(url)
            else:
                data = {k: walk.rng.choice(ANY) for k in walk.rng.sample(sorted(QUERY), k=4)}
                data["once"] = secrets.token_urlsafe(24)
                walk.send(client, "post", url, data)
        if client.get("/").status_code == 302 and role != "visitor":  # the walk ended its own session
            client = _login(app, role)
    # Then every form of every page it reached, with hostile values field by field.
    for url in pages:
        if not walk.time_left:
            break
        r = walk.send(client, "get", url)
        if r is None or r.status_code != 200:
            continue
        for form in forms_of(r.get_data(as_text=True)):
            _fuzz_form(walk, client, url, form)
        if client.get("/").status_code == 302 and role != "visitor":
            client = _login(app, role)


@pytest.fixture
def demo_data(app):
    with app.app_context():
        demo.load(db.session)
        db.session.commit()


def test_no_hostile_input_gets_a_server_error(app, demo_data):
    rng = random.Random(SEED)
    roles = ["visitor", "volunteer", "staff", "coordinator", "admin"]
    end = time.monotonic() + SECONDS
    walk = Walk(app=app, rng=rng, deadline=end)
    for i, role in enumerate(roles):
        walk.deadline = min(end, time.monotonic() + (end - time.monotonic()) / (len(roles) - i))
        while walk.time_left:  # another pass with other values, as long as the time lasts
            _walk_role(walk, role)
    assert walk.requests > 200, f"the walk sent only {walk.requests} requests"
    assert not walk.failures, (f"{len(walk.failures)} server errors in {walk.requests} requests "
                               f"(FUZZ_SEED={SEED}):\n\n" + "\n\n".join(walk.failures[:40]))
