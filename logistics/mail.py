"""Sending email: SMTP through ``MAIL_URL``, or ``.eml`` files in the instance outbox.

Callers never send from a request: they enqueue a job (after commit), and the job calls
:func:`send`. Log lines name the template, never the address or the content.
"""
from __future__ import annotations

import email.policy
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, render_template
from flask_babel import force_locale

from logistics.clock import utcnow

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    if not app.config.get("MAIL_URL"):
        outbox_dir(app).mkdir(parents=True, exist_ok=True)


def outbox_dir(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.instance_path) / "outbox"


def build(to: str, subject: str, template: str, locale: str = "en", *, message_id: str | None = None,
          calendar: tuple[str, bytes] | None = None, **context) -> EmailMessage:
    """Render ``templates/email/<template>.txt`` and ``.html`` in ``locale`` into a message.

    ``message_id`` fixes the Message-ID (a retried send is then recognisably the same
    message); ``calendar`` is (METHOD, iCalendar bytes): an invitation part whose MIME
    ``method=`` matches the METHOD inside, and the same as an ``.ics`` attachment."""
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject = str(subject)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id or make_msgid(domain="hopenow.invalid")
    # 8bit keeps names readable in the raw file, so erasure can scrub them from the outbox.
    msg.set_content(text, cte="8bit")
    msg.add_alternative(html, subtype="html", cte="8bit")
    if calendar is not None:
        method, ics = calendar
        msg.add_alternative(ics.decode("utf-8"), subtype="calendar", cte="8bit",
                            params={"method": method})
        msg.make_mixed()
        msg.add_attachment(ics, maintype="application", subtype="ics",
                           filename="cancel.ics" if method == "CANCEL" else "invite.ics")
    # After add_alternative, which moves Content-* headers down into the text part.
    msg["Content-Language"] = locale
    return msg


def send(msg: EmailMessage, *, template: str = "") -> None:
    url = current_app.config.get("MAIL_URL")
    if url:
        _send_smtp(url, msg)
    else:
        _write_outbox(msg)
    log.info("sent email %s", template or "(message)")


def _send_smtp(url: str, msg: EmailMessage) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, port or 465, context=ssl.create_default_context(), timeout=30)
    else:
        smtp = smtplib.SMTP(host, port or 25, timeout=30)
    with smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(msg)


def _write_outbox(msg: EmailMessage) -> Path:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    # The stamp sorts the outbox newest first; the random part keeps two messages written in
    # the same instant (or under a frozen clock) from overwriting each other.
    path = folder / f"{stamp}-{secrets.token_hex(6)}.eml"
    path.write_bytes(msg.as_bytes())
    return path


@dataclass
class OutboxMessage:
    name: str
    to: str
    subject: str
    date: str


def list_outbox(limit: int = 200) -> list[OutboxMessage]:
    """The newest messages in the outbox (embedded mode), newest first."""
    from email import message_from_bytes

    folder = outbox_dir()
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    out = []
    for path in files:
        msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
        out.append(OutboxMessage(path.name, str(msg["To"]), str(msg["Subject"]), str(msg["Date"])))
    return out


def read_outbox(name: str) -> EmailMessage | None:
    from email import message_from_bytes

    path = outbox_dir() / Path(name).name
    if path.suffix != ".eml" or not path.exists():
        return None
    return message_from_bytes(path.read_bytes(), policy=email.policy.default)


def scrub_outbox(values: list[str], replacement: str = "erased@example.invalid") -> int:
    """Remove ``values`` (an address, a name) from every outbox file; return files changed."""
    folder = outbox_dir()
    values = [v for v in values if v]
    if not folder.exists() or not values:
        return 0
    changed = 0
    for path in folder.glob("*.eml"):
        data = path.read_bytes()
        new = data
        for v in values:
            new = new.replace(v.encode(), replacement.encode())
        if new != data:
            path.write_bytes(new)
            changed += 1
    return changed
