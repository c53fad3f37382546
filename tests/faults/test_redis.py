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


@pytest.fixture
def redis_url(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
def test_a_session_started_on_one_server_is_recognised_on_another(redis_url, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
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
