"""Signatures: drawn or uploaded, checked before decoding, stored as a fresh PNG, served carefully."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFile, PngImagePlugin

from feedback import signatures
from feedback.models import Feedback

from .conftest import data_url, form_data, signature_png


def png_bytes(image, **save):
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def jpeg_bytes(size=(300, 100), stroke=True):
    """A photographed signature: dark ink on white paper (or the paper alone)."""
    image = Image.new("RGB", size, "white")
    if stroke:
        ImageDraw.Draw(image).line([(20, 70), (120, 20), (280, 80)], fill=(20, 20, 40), width=5)
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def truncated_png():
    """A drawn signature whose image data was cut in half, then patched up to look whole: every
    chunk well-formed with a correct CRC, an IEND at the end."""
    data = signature_png()
    chunks, pos = [], len(signatures.PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    header = next(body for kind, body in chunks if kind == b"IHDR")
    return (
        signatures.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", idat[: len(idat) // 2]) + chunk(b"IEND", b"")
    )


# --- the checks themselves ------------------------------------------------------------


def test_a_drawn_png_is_reencoded_to_a_fresh_png():
    original = signature_png()
    fresh = signatures.reencode(original)
    assert fresh.startswith(signatures.PNG_SIGNATURE)
    assert signatures.check_structure(fresh) == "PNG"  # a clean PNG that would pass our own checks
    with Image.open(io.BytesIO(fresh)) as image, Image.open(io.BytesIO(original)) as drawn:
        assert image.size == (400, 150)
        assert image.convert("RGBA").tobytes() == drawn.convert("RGBA").tobytes()  # the same pixels


def test_a_signature_from_the_pad_is_stored_in_grey_with_every_stroke_where_it_was_drawn():
    original = signature_png()  # black ink with soft edges on a clear canvas, as the pad draws
    fresh = signatures.reencode(original, drawn=True)
    with Image.open(io.BytesIO(fresh)) as image, Image.open(io.BytesIO(original)) as drawn:
        assert image.mode == "LA"
        assert image.getchannel("A").tobytes() == drawn.getchannel("A").tobytes()  # same strokes, same edges
        assert image.getchannel("L").getextrema()[0] == 0  # the ink stays black
        on_paper = Image.new("L", image.size, 255)
        on_paper.paste(image.getchannel("L"), mask=image.getchannel("A"))
        assert on_paper.getpixel((120, 30)) < 64  # a point of the stroke prints dark
        assert on_paper.getpixel((5, 5)) == 255  # the paper stays white


def test_a_jpeg_is_accepted_and_stored_as_png():
    fresh = signatures.reencode(jpeg_bytes())
    assert fresh.startswith(signatures.PNG_SIGNATURE)


def test_a_12000_pixel_square_png_of_a_few_kilobytes_is_refused_before_decoding(monkeypatch):
    bomb = png_bytes(Image.new("1", (12000, 12000)), optimize=True)
    assert len(bomb) < 64 * 1024  # a few KB on the wire, 144 megapixels once decoded

    def no_decoding(self):
        raise AssertionError("the image must not be decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", no_decoding)
    with pytest.raises(ValidationError) as error:
        signatures.reencode(bomb)
    assert error.value.code == "dimensions"


@pytest.mark.parametrize(
    "picture",
    [
        Image.new("RGBA", (400, 150), (0, 0, 0, 0)),  # fully transparent
        Image.new("RGB", (400, 150), "white"),  # blank paper
        Image.new("L", (400, 150), 0),  # one flat colour
        Image.new("RGBA", (400, 150), (0, 0, 0, 3)),  # ink too faint to see
    ],
    ids=["transparent", "white", "black", "faint"],
)
def test_an_uploaded_picture_without_a_stroke_is_refused(picture):
    with pytest.raises(ValidationError) as error:
        signatures.reencode(png_bytes(picture))
    assert error.value.code == "blank"


def test_a_photographed_blank_page_is_refused_but_a_signature_on_it_is_kept():
    with pytest.raises(ValidationError) as error:
        signatures.reencode(jpeg_bytes(stroke=False))
    assert error.value.code == "blank"
    assert signatures.reencode(jpeg_bytes()).startswith(signatures.PNG_SIGNATURE)


def test_a_truncated_png_is_refused_even_after_a_pdf_render_turned_pillows_leniency_on():
    import weasyprint  # noqa: F401  (importing it sets ImageFile.LOAD_TRUNCATED_IMAGES for the process)

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as any import of WeasyPrint leaves it
    try:
        with pytest.raises(ValidationError) as error:
            signatures.reencode(truncated_png())
        assert error.value.code == "broken"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_a_truncated_png_is_refused_when_leniency_is_turned_on_in_the_middle_of_its_decode(monkeypatch):
    """WeasyPrint's first import, in another of the server's threads, can turn the flag on
    after reencode turned it off and before Pillow decodes."""
    opened = Image.open

    def open_then_import_weasyprint_elsewhere(*args, **kwargs):
        image = opened(*args, **kwargs)
        monkeypatch.setattr(Image, "open", opened)  # that import happens once a process
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        return image

    monkeypatch.setattr(Image, "open", open_then_import_weasyprint_elsewhere)
    try:
        with pytest.raises(ValidationError) as error:
            signatures.reencode(truncated_png())
        assert error.value.code == "broken"
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        # and a whole signature decoded the same way is kept
        monkeypatch.setattr(Image, "open", open_then_import_weasyprint_elsewhere)
        assert signatures.reencode(signature_png()).startswith(signatures.PNG_SIGNATURE)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_a_pdf_render_leaves_pillow_strict(db):
    from printing import pdf

    pdf.render_pdf("<p>签名</p>")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_png_just_over_the_width_limit_is_refused():
    with pytest.raises(ValidationError) as error:
        signatures.reencode(png_bytes(Image.new("L", (3001, 100))))
    assert error.value.code == "dimensions"


def test_a_png_with_html_appended_is_refused():
    polyglot = signature_png() + b"<html><body><script>alert(document.cookie)</script></body></html>"
    with pytest.raises(ValidationError) as error:
        signatures.reencode(polyglot)
    assert error.value.code == "polyglot"


def test_a_png_with_a_script_in_a_text_chunk_is_refused():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    with pytest.raises(ValidationError) as error:
        signatures.reencode(png_bytes(Image.new("L", (100, 50)), pnginfo=info))
    assert error.value.code == "polyglot"


def test_bytes_after_the_png_end_are_refused_even_without_markup():
    with pytest.raises(ValidationError) as error:
        signatures.reencode(signature_png() + b"PK\x03\x04zipfile")
    assert error.value.code == "polyglot"


def test_a_jpeg_with_a_trailing_payload_is_refused():
    with pytest.raises(ValidationError):
        signatures.reencode(jpeg_bytes() + b"GIF89a;alert(1)")


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00\x01\x00", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", b"%PDF-1.7", b"BM\x00\x00"],
)
def test_other_formats_are_refused(data):
    with pytest.raises(ValidationError) as error:
        signatures.reencode(data)
    assert error.value.code == "format"


def test_a_truncated_png_is_refused():
    with pytest.raises(ValidationError):
        signatures.reencode(signature_png()[:60])


def test_more_than_two_megabytes_is_refused():
    with pytest.raises(ValidationError) as error:
        signatures.reencode(signatures.PNG_SIGNATURE + b"\x00" * (2 * 1024 * 1024))
    assert error.value.code == "too_large"


# --- through the form -------------------------------------------------------------------


@pytest.fixture
def lead_client(client, cast):
    client.force_login(cast.lead_user)
    return client


def post_form(client, reply, **data):
    return client.post(reverse("feedback:member_form", args=[reply.pk]), form_data(**data))


def test_an_uploaded_signature_is_stored_under_a_server_chosen_png_name(lead_client, cast):
    upload = SimpleUploadedFile("../../evil.php.jpg", jpeg_bytes(), content_type="image/jpeg")
    post_form(lead_client, cast.reply, signature_data="", signature_file=upload)
    feedback = Feedback.objects.get()
    assert feedback.signature.name.startswith("signatures/")
    assert feedback.signature.name.endswith(".png")
    assert "evil" not in feedback.signature.name
    assert feedback.signature.read().startswith(signatures.PNG_SIGNATURE)


def test_an_uploaded_polyglot_is_refused_next_to_the_upload_field(lead_client, cast):
    upload = SimpleUploadedFile(
        "sig.png", signature_png() + b"<html><script>x()</script></html>", content_type="image/png"
    )
    response = post_form(lead_client, cast.reply, signature_data="", signature_file=upload)
    assert "夹带" in response.context["form"].errors["signature_file"][0]
    assert not Feedback.objects.exists()


def test_an_uploaded_bomb_is_refused(lead_client, cast):
    bomb = png_bytes(Image.new("1", (12000, 12000)), optimize=True)
    upload = SimpleUploadedFile("sig.png", bomb, content_type="image/png")
    response = post_form(lead_client, cast.reply, signature_data="", signature_file=upload)
    assert "3000×1500" in response.context["form"].errors["signature_file"][0]
    assert not Feedback.objects.exists()


def test_a_blank_canvas_is_not_a_signature(lead_client, cast):
    blank = png_bytes(Image.new("RGBA", (400, 150), (0, 0, 0, 0)))
    response = post_form(lead_client, cast.reply, signature_data=data_url(blank))
    assert response.context["form"].errors["signature_data"] == ["请在签名框内签名"]


def test_no_signature_at_all_is_refused(lead_client, cast):
    response = post_form(lead_client, cast.reply, signature_data="")
    assert "signature_data" in response.context["form"].errors
    assert not Feedback.objects.exists()


def test_a_50_megabyte_upload_is_refused_before_it_is_read_or_stored(lead_client, cast, monkeypatch, settings):
    from django.core.files import uploadhandler

    def must_not_run(*args, **kwargs):
        raise AssertionError("the upload must not be read")

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "new_file", must_not_run)
    monkeypatch.setattr(uploadhandler.MemoryFileUploadHandler, "new_file", must_not_run)
    big = SimpleUploadedFile(
        "big.png", signatures.PNG_SIGNATURE + b"\x00" * (50 * 1024 * 1024), content_type="image/png"
    )
    response = post_form(lead_client, cast.reply, signature_data="", signature_file=big)
    assert response.status_code == 413
    assert "文件不能超过 2.0 MB" in response.content.decode()
    assert not Feedback.objects.exists()
    assert not (settings.MEDIA_ROOT / "signatures").exists()


# --- serving ------------------------------------------------------------------------------


@pytest.fixture
def submitted(lead_client, cast):
    post_form(lead_client, cast.reply)
    return Feedback.objects.get()


def test_the_member_gets_the_signature_as_png_with_nosniff(lead_client, submitted):
    response = lead_client.get(reverse("feedback:signature", args=[submitted.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(signatures.PNG_SIGNATURE)


@pytest.mark.parametrize("who", ["clerk", "office", "supervisor"])
def test_staff_who_may_see_the_form_get_the_signature(client, cast, submitted, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("feedback:signature", args=[submitted.pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider_user", "other_clerk", "npc_office", "co_user"])
def test_others_get_404_for_the_signature(client, cast, submitted, who, caplog):
    client.force_login(getattr(cast, who))
    with caplog.at_level("WARNING", logger="banli.access"):
        response = client.get(reverse("feedback:signature", args=[submitted.pk]))
    assert response.status_code == 404
    assert f"refused feedback {submitted.pk}" in caplog.text


def test_the_stored_signature_is_not_served_from_media(lead_client, submitted, settings):
    # Only in DEBUG does Django serve media at all; even then signatures stay behind the view.
    from django.urls import clear_url_caches

    settings.DEBUG = True
    import importlib

    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()
    try:
        response = lead_client.get(f"/media/{submitted.signature.name}")
        assert response.status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_a_jpeg_with_html_in_a_comment_segment_is_refused():
    data = jpeg_bytes()
    comment = b"<html><script>alert(1)</script></html>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    with pytest.raises(ValidationError) as error:
        signatures.reencode(data[:2] + segment + data[2:])
    assert error.value.code == "polyglot"
