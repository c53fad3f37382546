"""The production files in deploy/ agree with the app: every setting is listed, the proxy's
limits match the app's, personal files are never served from disk, the units start what exists."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from feedback.middleware import FORM_OVERHEAD

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def env_file():
    """{name: value} of the assignments in deploy/banli.env, and the names it mentions in comments."""
    text = (DEPLOY / "banli.env").read_text()
    values = dict(re.findall(r"^([A-Z_]+)=(.*)$", text, re.M))
    mentioned = set(re.findall(r"^#?\s*([A-Z][A-Z_]+)=", text, re.M))
    return values, mentioned


def test_the_env_file_lists_every_variable_the_app_reads():
    read = set()
    for source in (ROOT / "config" / "settings.py", DEPLOY / "gunicorn.conf.py"):
        read |= set(re.findall(r'(?:env_\w+|os\.environ\.get)\(\s*"([A-Z_]+)"', source.read_text()))
    assert "DATABASE_URL" in read and "BANLI_BIND" in read
    _values, mentioned = env_file()
    assert sorted(read - mentioned) == []
    assert sorted(mentioned - read) == []  # nothing listed that the app ignores


def test_the_env_file_passes_the_deploy_check():
    values, _ = env_file()
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(values, BANLI_SECRET_KEY=secrets.token_urlsafe(50))  # the file's is a placeholder
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert values["BANLI_TASKS_BACKEND"] == "database"  # several app servers: tasks in the workers


def test_nginx_serves_static_files_but_no_media():
    site = (DEPLOY / "nginx" / "banli.conf").read_text()
    assert re.search(r"location /static/ \{\s*alias /srv/banli/static/;", site)
    media = re.search(r"location /media/ \{(.*?)\}", site, re.S).group(1)
    assert media.strip() == "return 404;"
    assert "/srv/banli/media" not in site  # no alias or root could reach signatures or scans


def test_nginx_lets_through_the_largest_upload_the_app_accepts():
    site = (DEPLOY / "nginx" / "banli.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    largest = max(
        settings.BANLI_SCAN_MAX_BYTES, settings.BANLI_PAPER_SCAN_MAX_BYTES, settings.BANLI_SIGNATURE_MAX_BYTES
    )
    # The app answers an oversized upload with its own message; nginx must not refuse first.
    assert megabytes * 1024 * 1024 >= largest + FORM_OVERHEAD
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # overwritten, not appended


def test_the_systemd_units_start_what_the_repository_has():
    web = (DEPLOY / "systemd" / "banli-gunicorn.service").read_text()
    worker = (DEPLOY / "systemd" / "banli-worker@.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py config.wsgi" in web
    assert "manage.py db_worker" in worker  # django-tasks' worker: one command for every deployment
    assert "django_tasks_db" in settings.INSTALLED_APPS
    for unit in (web, worker):
        assert "EnvironmentFile=/etc/banli/banli.env" in unit
        assert "ReadWritePaths=/srv/banli/media" in unit


def test_templates_are_parsed_once_per_process_when_debug_is_off():
    """No `loaders` in TEMPLATES: Django then wraps them in its cached loader (a page is not parsed
    again on every request), for the pages and for the form widgets' templates alike."""
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    assert settings.DEBUG is False
    assert "loaders" not in settings.TEMPLATES[0]["OPTIONS"]
    renderer = get_default_renderer()
    for engine in (engines["django"].engine, renderer.engine.engine):
        assert [loader.__class__.__name__ for loader in engine.template_loaders] == ["Loader"]
        assert engine.template_loaders[0].__module__ == "django.template.loaders.cached"


def _database_options(**environ):
    """The PostgreSQL connection options config/settings.py builds from this environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_") and k != "DATABASE_URL"}
    env.update(environ)
    code = "import config.settings as s; print(sorted(s.DATABASES['default'].get('OPTIONS', {}).items()))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_database_url_keeps_its_ssl_mode_beside_the_prepared_statements():
    url = "postgres://banli@db.internal:5432/banli?sslmode=verify-full"
    assert _database_options(DATABASE_URL=url) == str(
        [("prepare_threshold", 2), ("server_side_binding", True), ("sslmode", "verify-full")]
    )
    # Behind a pooler that cannot keep prepared statements: the URL's options alone.
    assert _database_options(DATABASE_URL=url, BANLI_DB_PREPARED="0") == str([("sslmode", "verify-full")])
