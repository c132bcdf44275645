"""A real worker process killed with SIGKILL in the middle of sending: after a restart the
sweep finds the row left in "sending" and the notification is delivered once, with the
row's fixed Message-ID. Real Redis, a real SMTP server (aiosmtpd), a real worker."""
from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.notifications import collect
from logistics.notifications.models import Kind, Notification, Status
from logistics.shifts import signups
from tests import factories
from tests.conftest import _free_port
from tests.shifts import helpers as h
from tests.test_worker import _redis_url

ROOT = Path(__file__).resolve().parents[2]
STUCK_SECONDS = 2


class _SlowFirst:
    """Holds the first message until the client goes away; accepts the rest."""

    def __init__(self):
        self.messages = []
        self.first_arrived = threading.Event()
        self._first = True

    async def handle_DATA(self, server, session, envelope):
        if self._first:
            self._first = False
            self.first_arrived.set()
            await asyncio.sleep(10)  # the worker is killed meanwhile
            return "451 too late"
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def slow_smtp():
    from aiosmtpd.controller import Controller

    handler = _SlowFirst()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _start_worker(app, tmp_path, mail_url, name):
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path / name), DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=_redis_url(app), MAIL_URL=mail_url, SECRET_KEY=app.config["SECRET_KEY"],
               BASE_URL=app.config["BASE_URL"], NOTIFY_STUCK_SECONDS=str(STUCK_SECONDS))
    log = open(tmp_path / f"{name}.log", "w+")
    proc = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    proc.log = log
    proc.output = lambda: (tmp_path / f"{name}.log").read_text()
    return proc


def _kill(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    proc.log.close()


def _row(app):
    with app.app_context():
        return db.session.scalar(sa.select(Notification).where(Notification.kind == Kind.SIGNUP_CONFIRMED)
                                 .execution_options(populate_existing=True))


@pytest.mark.concurrency
def test_worker_killed_mid_send_loses_nothing(app, tmp_path, slow_smtp):
    controller, handler = slow_smtp
    mail_url = f"smtp://127.0.0.1:{controller.port}"
    clock.freeze(None)  # the worker lives in real time; so does this test
    with app.app_context():
        v = factories.user(email="killed@example.org")
        signups.sign_up(db.session, h.shift(in_days=3), v, by=v)
        db.session.commit()
        collect.sweep(db.session)
        db.session.commit()  # the send job leaves for Redis now
    first = _start_worker(app, tmp_path, mail_url, "first")
    try:
        if not handler.first_arrived.wait(30):
            pytest.fail("the worker never started sending:\n" + first.output())
        row = _row(app)
        assert row.status == Status.SENDING, (row.last_error, row.attempts, first.output())
    finally:
        _kill(first)  # SIGKILL, mid-send: the SMTP server has the message but has not answered
    assert _row(app).status == Status.SENDING and handler.messages == []
    second = _start_worker(app, tmp_path, mail_url, "second")
    try:
        time.sleep(STUCK_SECONDS + 0.5)
        old = app.config["NOTIFY_STUCK_SECONDS"]
        app.config["NOTIFY_STUCK_SECONDS"] = STUCK_SECONDS
        try:
            with app.app_context():
                # What the minute sweep does (the restarted worker's own sweep may be first:
                # either way the row is claimed once).
                collect.sweep(db.session)
                db.session.commit()
        finally:
            app.config["NOTIFY_STUCK_SECONDS"] = old
        deadline = time.monotonic() + 30
        while not handler.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        if not handler.messages:
            pytest.fail("the restarted worker did not send:\n" + second.output())
        time.sleep(0.5)
        row = _row(app)
        assert row.status == Status.SENT and row.attempts == 2
        assert len(handler.messages) == 1 and handler.messages[0]["Message-ID"] == row.message_id
        assert "killed@example.org" not in second.output()  # log lines never hold addresses
    finally:
        _kill(second)
