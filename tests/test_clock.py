"""The one clock: frozen for every test, local days and times in the organisation's zone."""
import datetime as dt

import pytest

from logistics import clock
from tests.conftest import frozen_now, local_instant


def test_every_test_runs_at_a_frozen_instant():
    assert clock.utcnow() == frozen_now()
    assert clock.utcnow() == clock.utcnow()


@pytest.mark.at("2027-03-28T01:30")
def test_a_test_can_say_its_instant():
    assert clock.utcnow() == dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
    assert clock.utcnow() == local_instant("2027-03-28T01:30")


def test_local_midnight_across_daylight_saving():
    # Copenhagen: 29 Mar 2026 has 23 hours (02:00 → 03:00), 25 Oct 2026 has 25.
    spring = clock.local_midnight(dt.date(2026, 3, 30)) - clock.local_midnight(dt.date(2026, 3, 29))
    autumn = clock.local_midnight(dt.date(2026, 10, 26)) - clock.local_midnight(dt.date(2026, 10, 25))
    assert spring == dt.timedelta(hours=23) and autumn == dt.timedelta(hours=25)
    assert clock.local_midnight(dt.date(2026, 7, 1)) == dt.datetime(2026, 6, 30, 22, tzinfo=dt.UTC)


def test_localize_and_back():
    at = clock.localize(dt.datetime(2026, 12, 24, 18, 0))
    assert at == dt.datetime(2026, 12, 24, 17, 0, tzinfo=dt.UTC)
    assert clock.to_local(at).replace(tzinfo=None) == dt.datetime(2026, 12, 24, 18, 0)
    assert clock.local_day_bounds(dt.date(2026, 12, 24), dt.date(2026, 12, 24)) == (
        dt.datetime(2026, 12, 23, 23, tzinfo=dt.UTC), dt.datetime(2026, 12, 24, 23, tzinfo=dt.UTC))


def test_today_is_the_local_date():
    with clock.frozen(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)):  # 00:30 on 1 Dec in Copenhagen
        assert clock.today() == dt.date(2026, 12, 1)


def test_as_utc_gives_the_same_instant_in_utc_from_any_zone():
    from zoneinfo import ZoneInfo

    instant = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert clock.as_utc(instant) is instant  # already UTC: passed through, not converted
    assert clock.as_utc(dt.datetime(2026, 7, 1, 12, 0)) == instant  # naive: taken as UTC (SQLite)
    for zone in (ZoneInfo("Etc/UTC"), ZoneInfo("Europe/Copenhagen"), dt.timezone(dt.timedelta(hours=-3))):
        converted = clock.as_utc(instant.astimezone(zone))
        assert converted == instant and converted.tzinfo is dt.UTC


def test_postgresql_sessions_are_in_utc(app_ctx):
    """The app's PostgreSQL sessions run in UTC whatever the server's zone, so timestamps
    arrive as datetime.UTC (logistics.config)."""
    import sqlalchemy as sa

    from logistics.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no zone")
    assert db.session.execute(sa.text("SHOW timezone")).scalar() == "UTC"
    assert db.session.execute(sa.text("SELECT now()")).scalar().tzinfo is dt.UTC
