"""Every refusal is a page in the user's language, never a 500 or Django's English default.

tests/deploy/test_served_errors.py asks the same of gunicorn and the development server.
"""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def client(db):
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("code", ["a/b", "a b/../c", "\x00", "ZZZ"])
def test_a_typed_code_that_cannot_be_one_is_a_404_with_the_form_again(client, code):
    response = client.get(reverse("feedback:verify_lookup"), {"code": code})
    assert response.status_code == 404
    assert "验证码格式不对" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/verify/%00/", "/verify/%00%00%00%00%00%00%00%00%00%00/", "/verify/" + "A" * 300 + "/"]
)
def test_a_code_in_the_address_that_cannot_be_one_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "未找到该验证码对应的意见表" in response.content.decode()


def test_a_signed_in_user_who_asks_for_nothing_gets_the_chinese_404(client):
    client.force_login(f.supervisor())
    response = client.get("/proposals/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "Not Found" not in page
    assert "工作台" in page  # the site's own page, with its navigation


def test_an_english_reader_gets_it_in_english(client):
    client.force_login(f.supervisor())
    response = client.get("/proposals/999999/", headers={"accept-language": "en"})
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" not in page
    assert "not exist" in page.lower()


def test_a_forbidden_step_is_the_chinese_403(client):
    unit = f.unit()
    a = f.assignment(f.proposal(), unit)
    client.force_login(f.office())
    response = client.post(reverse("proposals:sign_for", args=[a.pk]))
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()


def test_a_bad_request_is_the_chinese_400(client):
    response = client.get("/", headers={"host": "evil.example"})  # not an allowed host
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


def test_an_upload_over_the_limit_is_the_chinese_413_without_a_hop_by_hop_header(client, settings):
    settings.BANLI_SIGNATURE_MAX_BYTES = 1024
    body = b"x" * (600 * 1024)
    response = client.post("/f/form/", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "上传的内容过大" in response.content.decode()
    assert "Connection" not in response  # the development server refuses an application's hop-by-hop header


def test_a_post_over_the_largest_upload_is_refused_everywhere(client, settings):
    settings.BANLI_SCAN_MAX_BYTES = settings.BANLI_PAPER_SCAN_MAX_BYTES = 1024
    response = client.post("/login/", data=b"x" * (600 * 1024), content_type="application/octet-stream")
    assert response.status_code == 413


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_too_many_fields_is_a_413_not_a_400(client):
    response = client.post("/login/", {f"field{n}": "x" for n in range(10)})
    assert response.status_code == 413
    assert "本次提交的内容过多" in response.content.decode()


def test_the_500_page_is_in_chinese_and_stands_alone():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "服务暂时不可用" in page


def test_the_429_page_is_in_chinese(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.shortcuts import render

    request = rf.get("/")
    request.user = AnonymousUser()
    response = render(request, "429.html", status=429)
    assert "操作过于频繁" in response.content.decode()
