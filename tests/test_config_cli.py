"""Settings from the environment, the generated secret key, and the commands."""
import os
import stat

import sqlalchemy as sa

from logistics import config
from logistics.extensions import db
from logistics.people.models import Qualification, Role, User


def test_secret_key_generated_once_and_private(tmp_path):
    first = config.from_environment(str(tmp_path), env={})["SECRET_KEY"]
    second = config.from_environment(str(tmp_path), env={})["SECRET_KEY"]
    assert first == second and len(first) >= 40
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    assert config.from_environment(str(tmp_path), env={"SECRET_KEY": "given"})["SECRET_KEY"] == "given"


def test_environment_settings(tmp_path):
    cfg = config.from_environment(str(tmp_path), env={
        "DATABASE_URL": "postgres://u@h/db", "BASE_URL": "https://logistics.example.org/",
        "ORG_TIMEZONE": "Europe/Oslo", "REDIS_URL": "redis://r:6379/1", "MAIL_URL": "smtp://m:25",
        "ORG_NAME": "Test Org",
    })
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert cfg["BASE_URL"] == "https://logistics.example.org"
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["ORG_TIMEZONE"] == "Europe/Oslo" and cfg["ORG_NAME"] == "Test Org"
    assert cfg["REDIS_URL"] == "redis://r:6379/1" and cfg["MAIL_URL"] == "smtp://m:25"
    defaults = config.from_environment(str(tmp_path), env={})
    assert defaults["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert defaults["ORG_TIMEZONE"] == "Europe/Copenhagen"
    assert defaults["SESSION_COOKIE_SECURE"] is False
    assert defaults["REDIS_URL"] is None and defaults["MAIL_URL"] is None


def test_create_user_asks_for_the_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "New.Admin@Example.org", "--role", "admin"],
                           input="a long enough passphrase\na long enough passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Created admin new.admin@example.org" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.admin@example.org"))
        assert user.role == Role.ADMIN and user.is_approved and user.password_hash.startswith("$argon2id$")


def test_create_user_refuses_bad_input(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-user", "--email", "x@example.org"], input="password123\npassword123\n")
    assert weak.exit_code == 1 and "Error:" in weak.output
    runner.invoke(args=["create-user", "--email", "x@example.org"], input="a long enough passphrase\n" * 2)
    again = runner.invoke(args=["create-user", "--email", "X@example.org"], input="a long enough passphrase\n" * 2)
    assert again.exit_code == 1 and "already" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_demo_data_is_idempotent_and_prints_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    for role in ("admin", "coordinator", "staff", "volunteer"):
        assert f"{role}@hopenow.example" in first.output
    with app.app_context():
        users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        quals = db.session.scalar(sa.select(sa.func.count()).select_from(Qualification))
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Qualification)) == quals


def test_postgresql_sessions_in_utc_keep_the_urls_own_options(tmp_path):
    plain = config.from_environment(str(tmp_path), {"DATABASE_URL": "postgresql://u@h/db"})
    assert plain["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"options": "-c timezone=UTC"}
    assert plain["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 10
    own = config.from_environment(str(tmp_path), {"DATABASE_URL": "postgresql://u@h/db?options=-c%20search_path%3Dapp"})
    assert own["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"options": "-c search_path=app -c timezone=UTC"}
    sqlite = config.from_environment(str(tmp_path), {})
    assert "connect_args" not in sqlite["SQLALCHEMY_ENGINE_OPTIONS"] and "pool_size" not in sqlite[
        "SQLALCHEMY_ENGINE_OPTIONS"]
