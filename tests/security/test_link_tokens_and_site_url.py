"""A one-time link's token never reaches a log; links leave the site with its own address (in
development, the one the request came in on)."""

import logging
import re
from pathlib import Path

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from config.gunicorn_log import AccessLogger
from config.logs import RedactLinkTokens, redact
from feedback import services
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zx9-unguessable_token-of-a-link"


def test_redact_takes_the_token_out_of_any_line():
    assert redact(f'GET /f/{TOKEN}/ HTTP/1.1" 404') == 'GET /f/[redacted]/ HTTP/1.1" 404'
    assert redact(f"https://banli.example.gov.cn/f/{TOKEN}/?x=1") == "https://banli.example.gov.cn/f/[redacted]/?x=1"
    assert redact("POST /f/form/ HTTP/1.1") == "POST /f/form/ HTTP/1.1"  # the form after the link: no token


def test_django_logs_a_spent_links_404_without_its_token(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/f/{TOKEN}/")
    assert response.status_code == 404
    handler_filter = RedactLinkTokens()
    lines = []
    for record in caplog.records:
        handler_filter.filter(record)
        lines.append(record.getMessage())
    assert any("/f/[redacted]/" in line for line in lines)
    assert not any(TOKEN in line for line in lines)


def test_the_settings_put_every_log_line_through_the_filter():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert "redact_tokens" in handler["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_gunicorns_access_log_atoms_are_redacted():
    class Request:
        method, path, query, uri, version = "GET", f"/f/{TOKEN}/", "", f"/f/{TOKEN}/", (1, 1)
        headers = [("REFERER", f"https://banli.example.gov.cn/f/{TOKEN}/")]

    class Response:
        status, sent, headers = "404 Not Found", 10, []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/f/{TOKEN}/",
        "PATH_INFO": f"/f/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger = AccessLogger.__new__(AccessLogger)
    logger.cfg = type("Cfg", (), {"access_log_format": ""})()
    import datetime

    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(seconds=0.01))
    assert not any(TOKEN in str(value) for value in atoms.values())
    assert "/f/[redacted]/" in atoms["r"]


def test_the_deploy_files_redact_the_token():
    gunicorn = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    assert 'logger_class = "config.gunicorn_log.AccessLogger"' in gunicorn
    nginx = (ROOT / "deploy" / "nginx" / "banli.conf").read_text()
    assert "log_format banli_redacted" in nginx
    access_logs = re.findall(r"^\s*access_log (\S+)(?: (\S+))?;", nginx, re.M)
    assert access_logs and all(fmt in ("banli_redacted", "") or path == "off" for path, fmt in access_logs)
    assert all(fmt == "banli_redacted" for path, fmt in access_logs if path != "off")


@override_settings(BANLI_SITE_URL="")
def test_in_development_a_mailed_link_points_where_the_request_came_from(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["banli.local"]
    office = f.office()
    proposal = f.proposal()
    reply = f.reply(f.assignment(proposal, f.unit()))
    proposal.lead.user = f.user(email="member@example.org")
    proposal.lead.save()
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):  # mail goes out after the commit
        client.post(
            reverse("feedback:send_link", args=[reply.pk, proposal.lead.pk]), headers={"host": "banli.local:8015"}
        )
    assert "http://banli.local:8015/f/" in mail.outbox[-1].body


@override_settings(BANLI_SITE_URL="https://banli.example.gov.cn")
def test_in_production_the_configured_address_is_used(db):
    assert services.link_url("abc").startswith("https://banli.example.gov.cn/f/")
