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


def test_a_failing_statement_logs_no_personal_parameters(error_app):
    """The engine hides SQL parameters, and every handler on the root logger redacts."""
    import io

    from logistics import logs

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    logs.install()  # as at start-up: the filter goes on every root handler, this one too
    try:
        r = error_app.test_client().get("/test-only/personal-sql-error?email=ada@example.org")
    finally:
        root.removeHandler(handler)
    assert r.status_code == 500
    text = stream.getvalue()
    assert "unhandled error" in text and "no_such_table" in text  # the statement, for the developer
    for secret in ("Chioma", "31 41 59 26", "ada@example.org"):
        assert secret not in text, text
