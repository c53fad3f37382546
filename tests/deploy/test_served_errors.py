"""The pages that used to be 500s, asked of real servers: gunicorn with deploy/gunicorn.conf.py and
the development server (`make run`), on a fresh demo database (a temporary SQLite file, or a
throwaway PostgreSQL database beside the test one when DATABASE_URL is set).

Each answers 4xx with a page in Chinese; gunicorn's access log never holds a link's token.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = "kLq0pTz9-unguessable-token-of-a-spent-link"


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


def wait_until_up(base, process, log):
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(f"the server stopped:\n{Path(log).read_text()}")
        try:
            requests.get(f"{base}/login/", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"the server did not start:\n{Path(log).read_text()}")


@pytest.fixture(scope="module")
def demo_env():
    scratch = Path(tempfile.mkdtemp(prefix="banli-served-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANLI_", "DJANGO_"))}
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        env["DATABASE_URL"] = database_url + "_served"
        throwaway_postgres("create", env["DATABASE_URL"])
    else:
        env["BANLI_SQLITE_PATH"] = str(scratch / "db.sqlite3")
    env.update(
        BANLI_MEDIA_ROOT=str(scratch / "media"),
        BANLI_ALLOWED_HOSTS="127.0.0.1",
        BANLI_SIGNATURE_MAX_BYTES="1024",  # a small limit: a 700 KB body is over it
        BANLI_WORKERS="2",
        BANLI_ACCESS_LOG=str(scratch / "access.log"),
        BANLI_LOG_LEVEL="INFO",
        BANLI_SECOND_FACTOR="0",  # the demo accounts sign in with their password alone
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    yield scratch, env
    if database_url:
        throwaway_postgres("drop", env["DATABASE_URL"])


@pytest.fixture(scope="module")
def gunicorn(demo_env):
    scratch, env = demo_env
    port = free_port()
    log = scratch / "gunicorn.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env={**env, "BANLI_BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base, scratch
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def runserver(demo_env):
    scratch, env = demo_env
    port = free_port()
    log = scratch / "runserver.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def signed_in(base, username):
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login/").text).group(1)
    response = session.post(
        f"{base}/login/",
        data={"username": username, "password": "banli-demo", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
    )
    assert response.status_code == 200 and "退出" in response.text, response.text[:500]
    return session


def chinese_error(response, status, text):
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert text in response.text
    assert "Server Error" not in response.text and "Not Found" not in response.text


def test_gunicorn_answers_a_code_that_cannot_be_one_with_a_404(gunicorn):
    base, _scratch = gunicorn
    chinese_error(requests.get(f"{base}/verify/", params={"code": "a/b"}), 404, "验证码格式不对")
    chinese_error(requests.get(f"{base}/verify/%00/"), 404, "未找到该验证码")


def test_gunicorn_answers_a_signed_in_404_in_chinese(gunicorn):
    base, _scratch = gunicorn
    chinese_error(signed_in(base, "supervisor").get(f"{base}/proposals/999999/"), 404, "页面不存在")


def test_gunicorn_answers_an_upload_over_the_limit_with_the_413_page(gunicorn):
    base, _scratch = gunicorn
    response = requests.post(
        f"{base}/f/form/", data=b"x" * (700 * 1024), headers={"Content-Type": "application/octet-stream"}
    )
    chinese_error(response, 413, "上传的内容过大")


def test_the_development_server_answers_an_upload_over_the_limit_with_the_413_page(runserver):
    response = requests.post(
        f"{runserver}/f/form/", data=b"x" * (700 * 1024), headers={"Content-Type": "application/octet-stream"}
    )
    chinese_error(response, 413, "上传的内容过大")


def test_ten_registrations_of_one_explicit_number_at_once_give_one_proposal_and_no_500(gunicorn):
    base, _scratch = gunicorn
    sessions = [signed_in(base, "office") for _ in range(10)]
    page = sessions[0].get(f"{base}/office/register/").text
    session_id = re.search(r'<option value="(\d+)"[^>]*>黄石市政协十四届', page).group(1)
    lead_id = re.search(r'<option value="(\d+)"[^>]*>程玮', page).group(1)
    barrier = threading.Barrier(10)
    statuses = [None] * 10

    def register(i):
        s = sessions[i]
        token = CSRF.search(s.get(f"{base}/office/register/").text).group(1)
        barrier.wait(timeout=30)
        statuses[i] = s.post(
            f"{base}/office/register/",
            data={
                "csrfmiddlewaretoken": token,
                "session": session_id,
                "lead": lead_id,
                "title": f"同号登记的提案{i}",
                "serial": "900",
                "period": "session",
                "submitted_on": "2026-01-07",
            },
            headers={"Referer": f"{base}/office/register/"},
            allow_redirects=False,
        ).status_code

    threads = [threading.Thread(target=register, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] * 9 + [302], statuses


def test_gunicorns_access_log_never_holds_a_links_token(gunicorn):
    base, scratch = gunicorn
    requests.get(f"{base}/f/{TOKEN}/")
    requests.get(f"{base}/f/{TOKEN}/?x=1")
    time.sleep(0.5)  # the access log is written after the answer
    log = (scratch / "access.log").read_text()
    assert "/f/[redacted]/" in log
    assert TOKEN not in log
    assert TOKEN not in (scratch / "gunicorn.log").read_text()
