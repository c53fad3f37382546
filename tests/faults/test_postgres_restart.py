"""PostgreSQL restarts under load: the app keeps serving without a restart and no row is half-written.

The test builds its own throwaway PostgreSQL cluster (initdb into a temporary directory, run as
the `postgres` OS user, on a free port) so the shared server other test runs use is never
touched. It serves the app from gunicorn with persistent connections (CONN_MAX_AGE) and
CONN_HEALTH_CHECKS, keeps a supervisor registering proposals with two co-signers on the office's page (one
transaction: proposal, co-signers, timeline, history), crashes PostgreSQL (`pg_ctl restart -m
immediate`, i.e. a kill and WAL recovery) while those requests are in flight, and checks that

- the same gunicorn process answers the requests after the restart (no app restart needed),
- every proposal in the database has both co-signers, and every one the app confirmed is there.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))

pytestmark = pytest.mark.skipif(not PG_BINS, reason="initdb not found under /usr/lib/postgresql/*/bin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*argv, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, **kwargs)


class ThrowawayCluster:
    def __init__(self):
        self.bin = Path(PG_BINS[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="banli-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def pg_ctl(self, *args):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            *args,
            timeout=60,
        )

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/banli"

    def destroy(self):
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


SETUP = """
from django.contrib.auth import get_user_model
from proposals.models import Body, Member, Role, RoleKind, Session
import datetime
u = get_user_model().objects.create_user("supervisor", password="restart-test-pw", is_staff=True)
Role.objects.create(user=u, kind=RoleKind.SUPERVISOR)
s = Session.objects.create(body=Body.CPPCC, name="故障演练会议", year=2026, opens_on=datetime.date(2026, 1, 6), closes_on=datetime.date(2026, 1, 10))
for name in ["甲", "乙", "丙"]:
    Member.objects.create(name=name, body=Body.CPPCC)
print(s.pk, *Member.objects.order_by("name").values_list("pk", flat=True))
"""

CHECK = """
from django.db.models import Count
from proposals.models import Proposal
rows = Proposal.objects.annotate(n=Count("cosigner_links")).values_list("title", "n")
for title, n in rows:
    print(f"{n}\\t{title}")
"""


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0:
        pytest.skip("running a throwaway PostgreSQL cluster as the postgres user needs root (runuser)")
    cluster = ThrowawayCluster()
    try:
        cluster.pg_ctl("start")
        subprocess.run(
            [str(cluster.bin / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "banli"],
            check=True,
        )
        yield cluster
    finally:
        cluster.destroy()


def app_env(cluster):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    env.update(
        DATABASE_URL=cluster.url,
        BANLI_CONN_MAX_AGE="600",
        BANLI_SECOND_FACTOR="0",  # the supervisor signs in with a password alone: the restart is what is tested
        BANLI_ALLOWED_HOSTS="127.0.0.1",
        BANLI_MEDIA_ROOT=str(cluster.dir / "media"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def manage(env, *args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
    ).stdout


def test_requests_succeed_after_postgresql_restarts_and_nothing_is_half_written(cluster):
    import requests

    env = app_env(cluster)
    manage(env, "migrate", "-v0")
    session_id, *member_ids = manage(env, "shell", "-v0", "-c", SETUP).split()
    port = free_port()
    app_log = open(cluster.dir / "gunicorn.log", "w")  # a file, not a pipe nobody reads: 500 tracebacks would fill it
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=app_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Wait for gunicorn to answer (slowly, on a busy machine) before the test starts.
        for _ in range(100):
            try:
                requests.get(f"{base}/login/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)

        def logged_in():
            s = requests.Session()
            s.get(f"{base}/login/", timeout=10)
            r = s.post(
                f"{base}/login/",
                {
                    "username": "supervisor",
                    "password": "restart-test-pw",
                    "csrfmiddlewaretoken": s.cookies["csrftoken"],
                },
                allow_redirects=False,
                timeout=10,
            )
            assert r.status_code == 302, r.text[:500]
            return s

        browser = logged_in()
        token = browser.cookies["csrftoken"]
        outcomes = []  # (started, finished, title, status or exception name)
        stop = threading.Event()

        def add_proposal(i):
            title = f"故障演练提案{i:04d}"
            data = {
                "csrfmiddlewaretoken": token,
                "session": session_id,
                "serial": str(i),
                "title": title,
                "body": "",
                "lead": member_ids[0],
                "cosigner_names": "乙、甲",  # the other two members (丙 leads: members are listed by name)
                "period": "session",
                "submitted_on": "2026-01-06",
            }
            started = time.monotonic()
            try:
                r = browser.post(f"{base}/office/register/", data, allow_redirects=False, timeout=30)
                status = r.status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            outcomes.append((started, time.monotonic(), title, status))

        def writer(offset):
            i = offset
            while not stop.is_set():
                add_proposal(i)
                i += 4

        writers = [threading.Thread(target=writer, args=(n,)) for n in range(1, 5)]
        for w in writers:
            w.start()
        time.sleep(1.0)
        crash = time.monotonic()
        cluster.pg_ctl("-m", "immediate", "restart")  # a crash: in-flight transactions die, WAL recovery on start
        back = time.monotonic()
        time.sleep(1.5)
        stop.set()
        for w in writers:
            w.join(timeout=60)

        assert app.poll() is None, "gunicorn died: " + (cluster.dir / "gunicorn.log").read_text()[-3000:]

        # The next requests succeed, on the connections the app already had.
        for _ in range(5):
            assert browser.get(f"{base}/", timeout=10).status_code == 200
        assert browser.get(f"{base}/proposals/", timeout=10).status_code == 200
        outcomes.sort()
        before = [status for _, finished, _, status in outcomes if finished < crash]
        after = [status for started, _, _, status in outcomes if started > back]
        assert before and all(s == 302 for s in before), before
        assert after, "no request was sent after the restart"
        # CONN_HEALTH_CHECKS: a connection broken by the crash is noticed and replaced at the start
        # of the next request, so every request that starts after the restart succeeds.
        assert all(s == 302 for s in after), after

        stored = dict(line.split("\t")[::-1] for line in manage(env, "shell", "-v0", "-c", CHECK).splitlines())
        half_written = {title: n for title, n in stored.items() if n != "2"}
        assert half_written == {}
        confirmed = {title for _, _, title, status in outcomes if status == 302}
        assert confirmed <= set(stored), confirmed - set(stored)
        failed = [status for *_, status in outcomes if status != 302]
        print(
            f"\n{len(outcomes)} requests, {len(confirmed)} saved, {len(before)} before the crash, {len(after)} after; failed: {failed}"
        )
    finally:
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
        app_log.close()
