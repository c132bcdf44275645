"""The production server as configured in gunicorn.conf.py: threads, no Server header."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.concurrency


@pytest.fixture
def gunicorn_server(app, tmp_path):
    from logistics import queue

    port = _free_port()
    state = queue.state(app)
    redis_url = app.config["REDIS_URL"] or f"unix://{state.embedded.socket_file}?db=0"
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path), DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=redis_url, SECRET_KEY="s" * 32, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    log = open(tmp_path / "gunicorn.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "wsgi:app"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    yield url, proc, tmp_path / "gunicorn.log"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(20)
    log.close()


def test_gunicorn_serves_with_threads_and_no_server_header(gunicorn_server):
    url, _proc, log = gunicorn_server
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        assert r.status == 200
        assert "Server" not in r.headers, r.headers
        assert r.headers["Cache-Control"] == "no-store"
    with ThreadPoolExecutor(8) as pool:  # eight at once: 2 processes × 4 threads
        statuses = list(pool.map(lambda _: urllib.request.urlopen(url + "/login", timeout=10).status, range(16)))
    assert statuses == [200] * 16
    assert "gthread" in log.read_text()


def test_worker_init_tunes_the_garbage_collector():
    """After the app is loaded, a web process freezes what lives as long as it does and
    collects less often (gunicorn.conf.py: GC_THRESHOLD): checked in a fresh interpreter,
    since it changes the whole process."""
    script = (
        "import gc, runpy; conf = runpy.run_path('gunicorn.conf.py'); "
        "assert gc.get_threshold()[0] == 700 and gc.get_freeze_count() == 0; "
        "conf['post_worker_init'](None); "
        "print(gc.get_threshold()[0], conf['GC_THRESHOLD'], gc.get_freeze_count() > 0)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["10000", "10000", "True"]
