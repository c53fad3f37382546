"""`manage.py check --deploy` passes with the production environment, and fails without it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "BANLI_SECRET_KEY": secrets.token_urlsafe(50),
    "BANLI_SECURE_COOKIES": "1",
    "BANLI_SECURE_SSL_REDIRECT": "1",
    "BANLI_HSTS_SECONDS": "31536000",
    "BANLI_ALLOWED_HOSTS": "banli.example.gov.cn",
    "BANLI_BEHIND_PROXY": "1",
    "BANLI_SITE_URL": "https://banli.example.gov.cn",
    "BANLI_SEAL_KEY": "2026:" + secrets.token_urlsafe(36),
}


def check_deploy(extra_env):
    # A production-like environment: nothing from this test run (the browser tests, for one,
    # set DJANGO_ALLOW_ASYNC_UNSAFE), only what a server would have.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "DATABASE_URL") if k in os.environ}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_environment():
    result = check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    # The only message: which font each role of a letter uses (printing.I001, for information).
    issues = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("?: (")]
    assert "no issues" in result.stdout or [i.split(")")[0] for i in issues] == ["?: (printing.I001"], result.stderr


def test_check_deploy_fails_with_the_embedded_demo_defaults():
    result = check_deploy({})
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W009" in result.stderr  # the demo secret key
    for code in ("banli.E001", "banli.E002", "banli.E003"):
        assert code in result.stderr


def test_production_refuses_each_unsafe_default_on_its_own():
    for missing, code in (
        ("BANLI_SECRET_KEY", "banli.E001"),
        ("BANLI_SITE_URL", "banli.E002"),
        ("BANLI_SEAL_KEY", "banli.E003"),
    ):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = check_deploy(env)
        assert result.returncode != 0, missing
        assert code in result.stderr, (missing, result.stderr)
    plain_http = check_deploy({**PRODUCTION_ENV, "BANLI_SITE_URL": "http://banli.example.gov.cn"})
    assert "banli.E002" in plain_http.stderr
    short_key = check_deploy({**PRODUCTION_ENV, "BANLI_SEAL_KEY": "k1:short"})
    assert "banli.E004" in short_key.stderr
