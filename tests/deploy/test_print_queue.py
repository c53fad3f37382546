"""Batch printing in queue mode (BANLI_PRINT_JOBS=queue), as deployed: gunicorn + print_worker.

The first tests check the queue itself (claiming, hand-back after a restart) on the test
database. The last one starts the production configuration locally — gunicorn with
deploy/gunicorn.conf.py (2 workers, 127.0.0.1) and `manage.py print_worker` — on a fresh
demo database (a temporary SQLite file, or a throwaway PostgreSQL database beside the test
one when DATABASE_URL is set), and drives one batch print through HTTP as the supervisor:
ask for it, watch its status, download the merged PDF and read it.
"""

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from printing import jobs
from printing.models import BatchJob, BatchStatus
from tests import factories
from tests.printing.pdfutil import page_texts, reader, squash

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def queued(db):
    supervisor = factories.supervisor(username="supervisor")
    session = factories.session()
    return [BatchJob.objects.create(requested_by=supervisor, session=session) for _ in range(3)]


@override_settings(BANLI_PRINT_JOBS="queue")
def test_the_web_process_only_records_the_job(queued):
    jobs.start(queued[0])
    assert BatchJob.objects.get(pk=queued[0].pk).status == BatchStatus.QUEUED
    assert not BatchJob.objects.get(pk=queued[0].pk).is_stale  # waiting for a worker is not an interruption


def test_workers_claim_the_oldest_job_each_once(queued):
    claimed = [jobs.claim("w1"), jobs.claim("w2"), jobs.claim("w1"), jobs.claim("w2")]
    assert claimed == [queued[0].pk, queued[1].pk, queued[2].pk, None]
    assert list(BatchJob.objects.order_by("pk").values_list("status", "worker")) == [
        (BatchStatus.RUNNING, "w1"),
        (BatchStatus.RUNNING, "w2"),
        (BatchStatus.RUNNING, "w1"),
    ]


@override_settings(BANLI_PRINT_WORKER_STALE_SECONDS=300)
def test_a_job_left_running_goes_back_to_the_queue(queued):
    first, second, _ = (jobs.claim("host:1"), jobs.claim("host:2"), jobs.claim("host:2"))
    # host:1 restarts: it hands back what it was building.
    assert jobs.requeue_abandoned(worker="host:1") == 1
    assert BatchJob.objects.get(pk=first).status == BatchStatus.QUEUED
    # host:2 went silent for longer than the limit: any worker's sweep hands its jobs back.
    BatchJob.objects.filter(pk=second).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=301))
    assert jobs.requeue_abandoned() == 1
    assert BatchJob.objects.get(pk=second).status == BatchStatus.QUEUED
    assert BatchJob.objects.filter(status=BatchStatus.RUNNING).count() == 1


def test_a_worker_that_lost_its_job_does_not_overwrite_it(queued, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pk = jobs.claim("old")
    BatchJob.objects.filter(pk=pk).update(worker="new")  # handed to another worker meanwhile
    jobs.run(pk, worker="old")  # nothing to print in this session: it would fail the job
    assert BatchJob.objects.get(pk=pk).status == BatchStatus.RUNNING


# --- gunicorn + print_worker -------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throwaway_postgres(action, url):
    """Create or drop the database `url` names, from the server's `postgres` database."""
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if action == "create":
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@pytest.fixture
def deployed():
    """gunicorn (2 workers) and one print_worker with BANLI_PRINT_JOBS=queue, on a fresh demo database."""
    scratch = Path(tempfile.mkdtemp(prefix="banli-queue-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANLI_", "DJANGO_"))}
    port = free_port()
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        env["DATABASE_URL"] = database_url + "_queue"
        throwaway_postgres("create", env["DATABASE_URL"])
    else:
        env["BANLI_SQLITE_PATH"] = str(scratch / "db.sqlite3")
    env.update(
        BANLI_PRINT_JOBS="queue",
        BANLI_MEDIA_ROOT=str(scratch / "media"),
        BANLI_ALLOWED_HOSTS="127.0.0.1",
        BANLI_BIND=f"127.0.0.1:{port}",
        BANLI_WORKERS="2",
        BANLI_SITE_URL=f"http://127.0.0.1:{port}",
        BANLI_PDF_RENDER_PROCESS="1",  # as deploy/banli.env has it
        BANLI_SECOND_FACTOR="0",  # the demo supervisor signs in with a password alone: printing is what is tested
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    logs = {name: open(scratch / f"{name}.log", "w") for name in ("gunicorn", "worker")}
    processes = {
        "gunicorn": subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=logs["gunicorn"],
            stderr=subprocess.STDOUT,
        ),
        "worker": subprocess.Popen(
            [*manage, "print_worker", "--name", "test-worker", "--poll", "0.3"],
            cwd=ROOT,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
        ),
    }
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", env, scratch, processes
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)
        for log in logs.values():
            log.close()
        if database_url:
            throwaway_postgres("drop", env["DATABASE_URL"])
        shutil.rmtree(scratch, ignore_errors=True)


def test_a_batch_print_through_gunicorn_and_the_print_worker(deployed):
    base, env, scratch, processes = deployed
    expected = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from replies.models import Reply\n"
            "for r in Reply.objects.issued().filter(assignment__proposal__session__name__contains='政协十四届')"
            ".order_by('pk'): print(r.pk, r.assignment.proposal.number)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    letters, expected = expected[0::2], expected[1::2]
    assert len(expected) >= 2

    web = requests.Session()
    token = CSRF.search(web.get(f"{base}/login/", timeout=10).text).group(1)
    web.post(
        f"{base}/login/",
        data={"username": "supervisor", "password": "banli-demo", "csrfmiddlewaretoken": token},
        timeout=10,
    )
    page = web.get(f"{base}/printing/batch/", timeout=10)
    assert page.status_code == 200
    session_id = re.search(r'<option value="(\d+)"[^>]*>[^<]*政协十四届', page.text).group(1)
    answer = web.post(
        f"{base}/printing/batch/",
        data={"session": session_id, "unit": "", "csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:2000]
    job_url = base + answer.headers["Location"]
    assert web.get(job_url, timeout=10).status_code == 200

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = web.get(job_url + "status/", timeout=10).json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    worker_log = (scratch / "worker.log").read_text()
    assert status["status"] == "done", f"{status}\n{worker_log}"
    assert status["total"] == len(expected)
    assert "building" in worker_log  # built by the worker, not by the web process

    pdf = web.get(base + status["download_url"], timeout=30)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert len(reader(pdf.content).pages) >= len(expected)
    text = squash("".join(page_texts(pdf.content)))
    for number in expected:
        assert squash(number) in text
    assert all(p.poll() is None for p in processes.values())  # both still serving

    # One letter downloaded on its own is rendered by a gunicorn worker's render process, which
    # each worker started when it booted (BANLI_PDF_RENDER_PROCESS), at a lower priority.
    import psutil

    workers = psutil.Process(processes["gunicorn"].pid).children()
    children = [child for worker in workers for child in worker.children()]  # and multiprocessing's resource trackers
    renderers = [child for child in children if "spawn_main" in " ".join(child.cmdline())]
    assert len(workers) == 2 and len(renderers) == 2, [p.cmdline() for p in children]
    assert all(p.nice() == 5 for p in renderers)
    single = web.get(f"{base}/replies/{letters[0]}/pdf/", timeout=30)
    assert single.status_code == 200 and single.content.startswith(b"%PDF")
    assert squash(expected[0]) in squash("".join(page_texts(single.content)))
