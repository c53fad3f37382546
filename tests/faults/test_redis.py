"""With BANLI_REDIS_URL, sessions and the cache live in Redis, so any app server can serve any request.

Starts a throwaway redis-server on a free port (skipped when Redis is not installed), signs in
through one "app server" (a test client) and is recognised by another.
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.test import Client

from proposals.models import Body
from tests import factories as f

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")


def _start_redis(port, folder):
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return server


@pytest.fixture
def redis_server(tmp_path):
    """A throwaway redis-server: {"url": …, "restart": callable}."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    servers = [_start_redis(port, tmp_path)]

    def restart():
        servers[-1].terminate()
        servers[-1].wait(timeout=10)
        servers.append(_start_redis(port, tmp_path))

    try:
        yield {"url": f"redis://127.0.0.1:{port}/0", "restart": restart}
    finally:
        servers[-1].terminate()
        servers[-1].wait(timeout=10)


@pytest.fixture
def redis_url(redis_server):
    return redis_server["url"]


@pytest.mark.django_db
def test_a_session_started_on_one_server_is_recognised_on_another(redis_url, settings):
    settings.CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": redis_url}}  # as production
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user, member = f.member_user()
    proposal = f.proposal(f.session(Body.CPPCC), lead=member, title="在Redis会话中可见的提案")

    first = Client()
    assert first.post("/login/", {"username": user.username, "password": "pw-for-tests"}).status_code == 302
    second = Client()
    second.cookies = first.cookies  # the proxy sends the next request to another app server
    response = second.get("/me/")
    assert response.status_code == 200
    assert proposal.title in response.content.decode()

    import redis

    assert any(key.startswith(b":1:django.contrib.sessions.cache") for key in redis.Redis.from_url(redis_url).keys())


@pytest.mark.django_db
def test_after_redis_restarts_members_sign_in_again_without_an_error(redis_server, settings):
    # Redis keeps nothing on disk: a restart signs everyone out. The app server keeps its Redis
    # client between requests; the next request must reconnect, not fail.
    settings.CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": redis_server["url"]}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user, member = f.member_user()
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": "pw-for-tests"}).status_code == 302
    assert client.get("/me/").status_code == 200

    redis_server["restart"]()

    assert client.get("/me/").status_code == 302  # the session went with Redis: to the login page
    assert client.post("/login/", {"username": user.username, "password": "pw-for-tests"}).status_code == 302
    assert client.get("/me/").status_code == 200
