"""Log lines never hold tokens or email addresses."""
import logging
import urllib.error
import urllib.request

from logistics.logs import redact


def test_redact_tokens_and_addresses():
    line = '127.0.0.1 "GET /reset-password/IjEi.abc-DEF_123 HTTP/1.1" 200 for anna@example.org'
    assert redact(line) == '127.0.0.1 "GET /reset-password/[redacted] HTTP/1.1" 200 for [email]'
    assert redact("GET /invitation/xyz?next=/") == "GET /invitation/[redacted]?next=/"
    assert redact("GET /calendar/secret-token.ics") == "GET /calendar/[redacted]"
    assert redact("GET /login?email=a%40b.org") == "GET /login?email=[redacted]"


def test_request_log_of_the_server_has_no_token(live_server, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        urllib.request.urlopen(f"{live_server}/reset-password/SECRET-TOKEN-123")
    except urllib.error.HTTPError as exc:  # the page says the link is not valid (400)
        assert exc.code == 400
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/reset-password/[redacted]" in line for line in lines), lines
    assert not any("SECRET-TOKEN-123" in line for line in lines)
