"""Log hygiene: secrets in URLs (reset and invitation tokens, feed tokens) and email
addresses never reach a log line, whatever logs it (the app, Flask's server, gunicorn, RQ),
tracebacks included. SQL parameters never get that far: the engine hides them
(``hide_parameters`` in logistics.config)."""
from __future__ import annotations

import logging
import re

_PATTERNS = [
    # /reset-password/<token>, /invitation/<token>, /calendar/<token>.ics and similar
    (re.compile(r"(/(?:reset-password|invitation|calendar|feeds?)/)[^\s/?\"']+"), r"\1[redacted]"),
    # The signed links in reminders and cover requests: /reply/<answer>/<token>, /cover/<token>
    (re.compile(r"(/(?:reply/\w+|cover)/)[^\s/?\"']+"), r"\1[redacted]"),
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
    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is left as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            # Handlers print exc_text when it is set: the traceback, redacted once here.
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        return True


def _add(filterer: logging.Filterer, flt: RedactSecrets) -> None:
    if not any(isinstance(f, RedactSecrets) for f in filterer.filters):
        filterer.addFilter(flt)


def install() -> None:
    """Filter every record on its way out: on the root logger's handlers (every logger that
    propagates, the app's and libraries') and on the request loggers that keep their own."""
    flt = RedactSecrets()
    for handler in logging.getLogger().handlers:
        _add(handler, flt)
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        _add(logger, flt)
        for handler in logger.handlers:
            _add(handler, flt)
