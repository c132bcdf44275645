"""Log hygiene: secrets in URLs (reset and invitation tokens, feed tokens) and email
addresses never reach a log line, whatever logs the request (Flask's server, gunicorn)."""
from __future__ import annotations

import logging
import re

_PATTERNS = [
    # /reset-password/<token>, /invitation/<token>, /calendar/<token>.ics and similar
    (re.compile(r"(/(?:reset-password|invitation|calendar|feeds?)/)[^\s/?\"']+"), r"\1[redacted]"),
    (re.compile(r"([?&](?:token|code|email)=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
]

#: Loggers that write request lines.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "rq.worker")


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is left as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install() -> None:
    flt = RedactSecrets()
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(flt)
