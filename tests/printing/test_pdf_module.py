"""The WeasyPrint engine (forms): the fetcher only serves our static files and the document's own images,
user text is escaped, and a missing CJK font stops the app at the system check."""

import socket
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from printing import checks, pdf
from printing.templatetags.printing import cn_date

from . import pdfutil


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://127.0.0.1/x",
        "banli-asset:not-this-document",
        "banli-static:../../config/settings.py",
        "banli-static:/etc/passwd",
    ],
)
def test_fetcher_refuses_everything_but_our_own_files(url):
    fetcher = pdf.make_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_print_stylesheet_and_the_documents_images():
    asset = pdf.Asset("signature", b"\x89PNG...", "image/png")
    fetcher = pdf.make_fetcher([asset])
    css = fetcher.fetch("banli-static:css/print-form.css")
    assert b"@page" in css.read()
    image = fetcher.fetch("banli-asset:signature")
    assert image.read() == b"\x89PNG..." and image.content_type == "image/png"


def test_raw_html_with_foreign_urls_renders_without_fetching_them():
    """Even if markup reached the engine, nothing outside is fetched and the render is quick."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    html = f"""<html lang="zh-CN"><head><link rel="stylesheet" href="file:///dev/urandom">
        <link rel="stylesheet" href="http://127.0.0.1:{port}/x.css"></head><body>
        <p>中文</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/x.png">
        <a rel="attachment" href="file:///etc/hostname">附件</a></body></html>"""
    started = time.monotonic()
    data = pdf.render_pdf(html)
    assert time.monotonic() - started < 10
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()
    assert pdfutil.image_count(data) == 0
    assert b"/EmbeddedFile" not in data
    assert "中文" in pdfutil.page_texts(data)[0]


def test_renders_from_several_threads_take_turns(monkeypatch):
    """Pango and GLib are not thread-safe: gunicorn's threads must never lay out two documents at once."""
    count_lock, active, most = threading.Lock(), [0], [0]

    def render(*args, **kwargs):
        with count_lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.05)
        with count_lock:
            active[0] -= 1
        return b"%PDF-"

    monkeypatch.setattr("weasyprint.HTML.write_pdf", render)
    threads = [threading.Thread(target=pdf.render_pdf, args=("<p>中文</p>",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_dates_print_the_chinese_official_way():
    import datetime

    assert cn_date(datetime.date(2021, 9, 6)) == "2021年9月6日"


def test_font_check_passes_with_noto_cjk_installed():
    assert checks.check_form_fonts() == []


def test_font_check_fails_when_no_configured_font_is_installed(settings):
    settings.BANLI_PDF_SANS = ["黑体_未安装"]
    errors = checks.check_form_fonts()
    assert [e.id for e in errors] == ["printing.E001"]
    assert "BANLI_PDF_SANS" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_font_check_fails_when_fontconfig_cannot_be_asked(monkeypatch):
    monkeypatch.setattr(pdf, "installed_cjk_families", lambda: None)
    assert [e.id for e in checks.check_form_fonts()] == ["printing.E002"]


def test_office_fonts_are_configurable(settings):
    settings.BANLI_PDF_SERIF = ["仿宋_GB2312", "Noto Serif CJK SC"]
    assert pdf.css_family(pdf.font_families()["serif"]) == '"仿宋_GB2312", "Noto Serif CJK SC"'
    assert pdf.css_family(['x"; } body { color: red', "</style>"]) == '"x  body  color: red", "/style"'
