"""No open redirect: after login and after the language switch, only paths on this site."""
import pytest

from blueprints.redirects import is_safe
from tests import factories

#: Known ways past a naive "starts with /" check (raw, as the browser would send them
#: percent-encoded), and other hosts and schemes.
BYPASSES = [
    "/\t/evil.example/", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example", "/\x00/evil.example",
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "/\\/evil.example", "\\/evil.example", "https://evil.example", "http:evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " /evil", "evil.example", "", "/" + "a" * 3000,
    "/%09/evil.example", "\x7f//evil.example",
]
ENCODED = ["/%09/evil.example/", "/%0a/evil.example", "/%0d%0a/evil.example", "//evil.example",
           "/%5Cevil.example", "%2F%2Fevil.example", "/%5C/evil.example", "https:%2F%2Fevil.example",
           "javascript:alert(1)", "/%20/evil.example", "/%00/evil.example", "///evil.example"]


@pytest.mark.parametrize("target", BYPASSES)
def test_unsafe_targets_are_refused(target):
    # "/%09/..." stays a harmless path once decoded ("%09" is text), so only the others fail.
    assert not is_safe(target) or target == "/%09/evil.example"


@pytest.mark.parametrize("target", ["/", "/shifts/open", "/shifts/open?activity=2&start=2026-12-01",
                                    "/stock/items/3#lots", "/%2F%2Fevil.example"])
def test_paths_on_this_site_are_kept(target):
    assert is_safe(target)


def _location_host_free(response) -> str:
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
    assert not any(ord(c) < 0x21 for c in location), repr(location)
    return location


@pytest.mark.parametrize("encoded", ENCODED)
def test_login_never_redirects_off_site(client, app, encoded):
    with app.app_context():
        from logistics.extensions import db

        user = factories.user("volunteer")
        db.session.commit()
    r = client.post(f"/login?next={encoded}", data={"email": user.email, "password": factories.PASSWORD})
    if "%00" in encoded:  # a NUL byte is refused before anything else (400)
        assert r.status_code == 400 and "Location" not in r.headers
        return
    assert r.status_code == 302
    assert _location_host_free(r) == "/"  # every one of them decodes to something unsafe


def test_login_keeps_a_good_next(client, app):
    with app.app_context():
        from logistics.extensions import db

        user = factories.user("volunteer")
        db.session.commit()
    r = client.post("/login?next=/shifts/open", data={"email": user.email, "password": factories.PASSWORD})
    assert r.headers["Location"] == "/shifts/open"


@pytest.mark.parametrize("target", BYPASSES)
def test_language_switch_never_redirects_off_site(client, target):
    r = client.post("/language", data={"lang": "da", "next": target})
    if "\x00" in target:  # a NUL byte is refused before anything else (400)
        assert r.status_code == 400 and "Location" not in r.headers
        return
    assert r.status_code == 302
    location = _location_host_free(r)
    assert location in ("/", target)
