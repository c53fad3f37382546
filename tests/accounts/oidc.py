"""A real OpenID Connect provider for the tests (tests/oidc_provider/, django-oauth-toolkit), run in
a subprocess on 127.0.0.1, and the Banli settings that point at it."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "banli-test"
CLIENT_SECRET = "banli-test-secret-0123456789"
USERS = {
    "zhangsan": {
        "password": "sso-pass-1",
        "claims": {"name": "张三", "email": "zhangsan@example.gov.cn", "department": "X局", "banli_role": "签发人"},
    },
    "lisi": {"password": "sso-pass-2", "claims": {"name": "李四", "email": "lisi@example.gov.cn"}},
    "wangwu": {
        "password": "sso-pass-3",
        "claims": {"name": "王五", "department": "不存在的局", "banli_role": "clerk"},
    },
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self, banli_origins):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.base}/o"
        self.dir = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("BANLI_")}
        env.update(
            OIDC_TEST_DIR=self.dir.name,
            OIDC_TEST_USERS=json.dumps(USERS),
            OIDC_TEST_CLIENT=json.dumps(
                {
                    "id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "redirect_uris": [f"{o}/oidc/callback/" for o in banli_origins],
                    "post_logout_redirect_uris": [f"{o}/login/" for o in banli_origins],
                }
            ),
            DJANGO_SETTINGS_MODULE="tests.oidc_provider.settings",
        )
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "oidc_provider" / "serve.py"), str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test provider stopped: {self.process.stdout.read()}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the test provider did not start within 60 s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.dir.cleanup()

    def settings(self, **extra):
        """What an office would set for this provider (deploy/identity.md), as Django settings."""
        values = {
            "BANLI_OIDC_ENABLED": True,
            "BANLI_OIDC_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token/",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/.well-known/jwks.json",
            "BANLI_OIDC_END_SESSION_ENDPOINT": f"{self.issuer}/logout/",
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "BANLI_OIDC_UNIT_CLAIM": "department",
            "BANLI_OIDC_ROLE_CLAIM": "banli_role",
            "BANLI_CSP_FORM_ACTION": [self.base],
        }
        values.update(extra)
        return values

    def sign_in(self, authorize_url, username, password=None):
        """A person at the provider: its login form, then the authorization; returns where the
        provider sends the browser back (Banli's callback URL with code and state)."""
        browser = requests.Session()
        page = browser.get(authorize_url, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = browser.post(
            page.url,
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password or USERS[username]["password"],
                "next": re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&"),
            },
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=10,
        )
        while response.status_code in (301, 302):
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.base):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError(
            f"the provider did not send the browser back: {response.status_code} {response.text[:300]}"
        )
