"""worker.py: a real worker process runs queued jobs and stops cleanly on SIGTERM."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logistics import queue
from logistics.extensions import db
from logistics.people import services
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _redis_url(app) -> str:
    state = queue.state(app)
    if state.embedded is not None:
        return f"unix://{state.embedded.socket_file}?db=0"
    return app.config["REDIS_URL"]


@pytest.fixture
def worker_process(app, tmp_path):
    env = dict(os.environ)
    env.update({
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": _redis_url(app),
        "MAIL_URL": app.config["MAIL_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "BASE_URL": app.config["BASE_URL"],
    })
    log = open(tmp_path / "worker.log", "w+")
    # Its own process group: RQ's scheduler is a child process that must go with it.
    proc = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    proc.output = lambda: (tmp_path / "worker.log").read_text()
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    log.close()


def test_worker_sends_queued_email_and_stops_on_sigterm(app, worker_process, mailbox):
    with app.app_context():
        user = factories.user("volunteer", email="reset.me@example.org")
        db.session.commit()
        services.request_password_reset(db.session, user.email)
        db.session.commit()  # the job leaves for Redis only now
    deadline = time.monotonic() + 20
    while not mailbox.to("reset.me@example.org") and time.monotonic() < deadline:
        time.sleep(0.2)
    if not mailbox.to("reset.me@example.org"):
        pytest.fail("the worker did not send the email:\n" + worker_process.output())
    worker_process.send_signal(signal.SIGTERM)
    assert worker_process.wait(20) == 0
    output = worker_process.output()
    assert "/reset-password/" in mailbox.body(mailbox.to("reset.me@example.org")[0])
    assert "reset.me@example.org" not in output  # log lines never hold addresses


def test_bare_rq_worker_with_the_app_worker_class_runs_jobs(app, tmp_path, mailbox):
    """`rq worker -w worker.AppWorker`: RQ's own command line, the jobs still run in the app."""
    with app.app_context():
        user = factories.user("volunteer", email="bare.rq@example.org")
        db.session.commit()
        services.request_password_reset(db.session, user.email)
        db.session.commit()
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path), DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=_redis_url(app), MAIL_URL=app.config["MAIL_URL"], SECRET_KEY=app.config["SECRET_KEY"],
               BASE_URL=app.config["BASE_URL"])
    done = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "-w", "worker.AppWorker",
                           "--url", _redis_url(app), "default"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "/reset-password/" in mailbox.body(mailbox.to("bare.rq@example.org")[0])


def _blocked(pid: int, tid: str) -> int:
    """The signal mask of one thread of a process (SigBlk in /proc), as a number."""
    for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            return int(line.split()[1], 16)
    raise AssertionError("no SigBlk")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads thread signal masks from /proc (Linux)")
def test_stop_signals_reach_the_main_thread_of_the_worker(worker_process):
    """SIGINT and SIGTERM sent to the worker go to its main thread, where RQ handles them at
    once: its other threads (the command channel's listener) do not take them, so a stop is
    never left waiting until the main thread's wait for a job ends."""
    deadline = time.monotonic() + 30
    while "Listening on" not in worker_process.output() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Listening on" in worker_process.output(), worker_process.output()
    pid = worker_process.pid
    stops = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    threads = sorted(os.listdir(f"/proc/{pid}/task"), key=int)
    assert len(threads) >= 2, "the command channel's thread is running"
    assert _blocked(pid, str(pid)) & stops == 0  # the main thread takes them
    for tid in threads:
        if tid != str(pid):
            assert _blocked(pid, tid) & stops == stops, f"thread {tid} takes stop signals"
    started = time.monotonic()
    worker_process.send_signal(signal.SIGINT)  # Ctrl-C: an idle worker stops at once
    assert worker_process.wait(20) == 0
    assert time.monotonic() - started < 10
