def test_healthz_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_login_and_home(client, login):
    user = login("volunteer", full_name="Vera Volunteer")
    r = client.get("/")
    assert r.status_code == 200
    assert b"Hello, Vera" in r.data
