"""Checking and re-encoding a member's signature image (drawn on the canvas or uploaded).

Order matters: size in bytes, then the file's own structure (PNG chunks / JPEG markers,
nothing after the end, no markup anywhere), then the dimensions from the header, and only then
is the image decoded, strictly: never with Pillow's LOAD_TRUNCATED_IMAGES, which WeasyPrint
turns on for the whole process when it is imported, so image data cut short is refused.
A picture with no stroke on it (blank, or fully transparent) is refused. What is stored is a
fresh PNG that Pillow wrote, under a name the server chose; the member's bytes are never served
back.
"""

import base64
import io
import secrets
import struct
import warnings
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8\xff"
# Markup that makes a file something a browser would render as a page or script.
MARKUP = (
    b"<html",
    b"<script",
    b"<svg ",
    b"<svg>",
    b"<svg\n",
    b"<!doctype",
    b"<body",
    b"<iframe",
    b"<?xml",
    b"<?php",
    b"javascript:",
)
DATA_URL_PREFIX = "data:image/png;base64,"
# A stroke: this much darker than the paper (0-255), on at least this many pixels.
INK_CONTRAST = 64
INK_PIXELS = 10


def _png_end(data):
    """Offset just after the IEND chunk, walking the chunks; None if the structure is broken."""
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if pos > len(data):
            return None
        if kind == b"IEND":
            return pos
    return None


def has_ink(image):
    """Whether a decoded picture shows a stroke: neither fully transparent nor one flat colour."""
    if image.mode not in ("LA", "RGBA"):
        image = image.convert("RGBA")
    if image.getchannel("A").getbbox() is None:
        return False
    # The picture as it prints: on white paper, in grey.
    gray = Image.new("L", image.size, 255)
    gray.paste(image.getchannel(0) if image.mode == "LA" else image.convert("L"), mask=image.getchannel("A"))
    histogram = gray.histogram()
    background = max(range(256), key=histogram.__getitem__)  # the commonest shade: the paper
    darker = sum(histogram[: max(background - INK_CONTRAST, 0)])
    lighter = sum(histogram[min(background + INK_CONTRAST, 256) :])
    return darker + lighter >= INK_PIXELS


def _kind_of(data):
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(JPEG_START):
        return "JPEG"
    return None


def check_structure(data):
    """Refuse anything but a plain PNG or JPEG with nothing hidden before or after it."""
    kind = _kind_of(data)
    if kind is None:
        raise ValidationError(_("只能上传 PNG 或 JPEG 格式的签名图片。"), code="format")
    lowered = data.lower()
    if any(marker in lowered for marker in MARKUP):
        raise ValidationError(_("图片中夹带了网页或脚本内容，已拒收。"), code="polyglot")
    if kind == "PNG":
        end = _png_end(data)
        if end is None:
            raise ValidationError(_("图片文件已损坏，请重新上传。"), code="broken")
        if end != len(data):
            raise ValidationError(_("图片末尾夹带了其他内容，已拒收。"), code="polyglot")
    elif not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise ValidationError(_("图片末尾夹带了其他内容，已拒收。"), code="polyglot")
    return kind


def _decoded_strictly(data, kind, max_w, max_h, too_big):
    """The picture, decoded with Pillow's truncated-image leniency off: image data cut short (and
    patched up to look whole) is an error, not rows filled with nothing.

    The leniency is one flag for the whole process, and WeasyPrint turns it on when it is first
    imported, which another thread may do during this decode; a decode that ends with the flag
    on is done again (that import happens once a process)."""
    for _attempt in range(2):
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        # open() reads only the header: the dimensions are known before anything is decoded.
        image = Image.open(io.BytesIO(data), formats=[kind])
        width, height = image.size
        if width > max_w or height > max_h or width < 1 or height < 1:
            raise too_big
        image.load()
        if not ImageFile.LOAD_TRUNCATED_IMAGES:
            return image
    raise OSError("Pillow's truncated-image leniency was turned on during both decodes")


def reencode(data, *, drawn=False):
    """Validate the bytes and return a fresh PNG of the signature (bytes).

    A picture with no visible stroke is refused (checked on the image already decoded here,
    rather than decoding the result again); `drawn` says it came from the signature pad."""
    max_bytes = settings.BANLI_SIGNATURE_MAX_BYTES
    if len(data) > max_bytes:
        raise ValidationError(
            _("签名图片不能超过 %(mb)s MB。"), code="too_large", params={"mb": round(max_bytes / 1024 / 1024, 1)}
        )
    kind = check_structure(data)
    max_w, max_h = settings.BANLI_SIGNATURE_MAX_WIDTH, settings.BANLI_SIGNATURE_MAX_HEIGHT
    too_big = ValidationError(
        _("签名图片尺寸不能超过 %(w)s×%(h)s 像素。"), code="dimensions", params={"w": max_w, "h": max_h}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _decoded_strictly(data, kind, max_w, max_h, too_big) as image:
                if drawn:
                    # The pad draws in near-black ink (static/js/signature.js): grey and alpha keep all
                    # of it, in half the bytes of RGBA and half the time to encode.
                    image = image.convert("LA")
                elif image.mode in ("P", "LA", "PA", "RGBA"):
                    image = image.convert("RGBA")
                else:
                    image = image.convert("RGB")
                if not has_ink(image):
                    if drawn:
                        raise ValidationError(_("请在签名框内签名"), code="blank")
                    raise ValidationError(_("签名图片是空白的（或完全透明），请上传有签名笔迹的图片。"), code="blank")
                out = io.BytesIO()
                # zlib's run-length strategy: strokes on a clear background are long runs, so it
                # costs ~30% less CPU than the default (the bench signature: 4.1 instead of 6.2 ms,
                # 4.9 instead of 3.5 KB). optimize=True made the file ~20% smaller for 3-4x the CPU.
                image.save(out, format="PNG", compress_type=zlib.Z_RLE)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (OSError, SyntaxError, ValueError, struct.error, Image.UnidentifiedImageError):
        raise ValidationError(_("无法识别的图片，请重新上传。"), code="broken") from None
    return out.getvalue()


def from_data_url(value):
    """The PNG bytes of a canvas drawing sent as a data: URL."""
    if not value.startswith(DATA_URL_PREFIX):
        raise ValidationError(_("签名数据无效，请重新签名。"), code="format")
    try:
        return base64.b64decode(value[len(DATA_URL_PREFIX) :], validate=True)
    except ValueError:
        raise ValidationError(_("签名数据无效，请重新签名。"), code="format") from None


def as_file(png_bytes):
    """A ContentFile under a random server-chosen name; the caller saves it to the field."""
    return ContentFile(png_bytes, name=f"{secrets.token_hex(16)}.png")
