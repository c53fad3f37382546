"""The WeasyPrint engine: feedback forms and other HTML print views.

Forms and other HTML print views are rendered here (letters are typeset by Typst, see
printing/typesetting.py and printing/documents.ENGINES).

- One `FontConfiguration` per process and the print stylesheets parsed once per process:
  both are costly to build and never change while the process runs. One render at a time
  per process (`_RENDER_LOCK`): Pango and GLib are not thread-safe.
- WeasyPrint only sees what the app hands it. `SafeFetcher` answers two kinds of URL:
  `banli-static:<path>` (the app's own static files, e.g. the print CSS) and
  `banli-asset:<name>` (the images that belong to the document being printed: a feedback
  form's signature, a unit's seal, the QR code). Everything else — file://, http(s)://,
  data:, attachments — is refused before any I/O, and the render goes on without it.
- Templates receive user text through Django's autoescaping; nothing here marks user
  text safe.
"""

import contextlib
import functools
import hashlib
import io
import logging
import mimetypes
import re
import subprocess
import threading
import zlib

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _

from . import fontpack

logger = logging.getLogger(__name__)

STATIC_SCHEME = "banli-static"
ASSET_SCHEME = "banli-asset"
# Largest image (pixels) we re-encode for a signature or seal; bigger uploads are refused.
MAX_ASSET_PIXELS = 4000 * 4000


class PrintError(Exception):
    """Rendering failed; the message is for the user (Chinese), the cause is logged."""


class Asset:
    """An image that belongs to the document being printed, handed to the fetcher by name.

    `identity` is what the image is made from; a document's version (printing.documents) hashes
    it instead of the image. For an uploaded file or a QR code that is the file's bytes or the
    code's text, and `data` is only made on first use: finding the stored render of a document
    never decodes or encodes an image, only a render does.
    """

    mime = "image/png"

    def __init__(self, name, data, mime):
        self.name = name
        self.data = data
        self.mime = mime

    @property
    def url(self):
        return f"{ASSET_SCHEME}:{self.name}"

    @property
    def identity(self):
        return hashlib.sha256(self.data).digest()

    @classmethod
    def from_image_file(cls, name, field_file, *, on_white=False):
        """The uploaded image (signature, seal) as a PNG that Pillow writes; None when it is not an image.

        Re-encoding means WeasyPrint never parses an uploaded file as-is (no SVG with
        external references, no odd formats), only a PNG that Pillow wrote. Here only the
        header is read (format, size); the re-encoding happens when a render asks for it.

        `on_white`: the image is printed on white paper with nothing under it (a signature, not
        a seal over text): transparency is laid on white here, so the PDF holds one opaque
        image instead of an image and its soft mask, which WeasyPrint would split and encode
        again at every render.
        """
        if not field_file:
            return None
        from PIL import Image

        try:
            with field_file.open("rb") as fh:
                raw = fh.read()
            with Image.open(io.BytesIO(raw)) as image:
                if image.width * image.height > MAX_ASSET_PIXELS:
                    return None
        except (OSError, ValueError, Image.DecompressionBombError):
            logger.warning("Unreadable image %s for printing", field_file.name)
            return None
        return ImageFileAsset(name, raw, field_file.name, on_white=on_white)

    @classmethod
    def qr_code(cls, name, text):
        return QrCodeAsset(name, text)


class ImageFileAsset(Asset):
    """An uploaded image, re-encoded to PNG when a render fetches it (see Asset.from_image_file)."""

    def __init__(self, name, raw, filename="", *, on_white=False):
        self.name = name
        self.raw = raw
        self.filename = filename
        self.on_white = on_white

    @property
    def identity(self):
        return (b"png-on-white-of:" if self.on_white else b"png-of:") + hashlib.sha256(self.raw).digest()

    @functools.cached_property
    def data(self):
        """The PNG bytes; None when the image turns out to be unreadable (the fetcher then refuses it)."""
        from PIL import Image

        try:
            with Image.open(io.BytesIO(self.raw)) as opened:
                opened.load()
                image = opened if opened.mode in ("RGB", "RGBA", "L", "LA") else opened.convert("RGBA")
                if self.on_white and image.mode in ("LA", "RGBA"):
                    paper = Image.new(image.mode[:-1], image.size, "white")
                    paper.paste(image.convert(paper.mode), mask=image.getchannel("A"))
                    image = paper
                out = io.BytesIO()
                # zlib's run-length strategy: as small as the default for drawn strokes on a clear
                # background, and faster (optimize=True cost 3-4x the CPU).
                image.save(out, format="PNG", compress_type=zlib.Z_RLE)
        except (OSError, ValueError, Image.DecompressionBombError):
            logger.warning("Unreadable image %s for printing", self.filename or self.name)
            return None
        return out.getvalue()


class QrCodeAsset(Asset):
    """The QR code of a text (the verify address), drawn when a render fetches it."""

    def __init__(self, name, text):
        self.name = name
        self.text = text

    @property
    def identity(self):
        return b"qr-png:" + self.text.encode()

    @functools.cached_property
    def data(self):
        return _qr_png(self.text)


def _qr_png(text):
    """The QR code of `text` as a PNG of one pixel a module, no quiet zone: the page scales it,
    with `image-rendering: pixelated` so the modules stay sharp-edged squares. WeasyPrint draws
    it as one small image, where an SVG of the same code was a path of hundreds of segments to
    parse and draw at every render."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=1, border=0)
    return out.getvalue()


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):
        """Answers banli-static: and banli-asset: URLs from memory or the static dirs; refuses the rest."""

        def __init__(self, assets=()):
            super().__init__(timeout=1, allowed_protocols=(STATIC_SCHEME, ASSET_SCHEME), allow_redirects=False)
            self.assets = {asset.name: asset for asset in assets}
            self.refused = []

        def fetch(self, url, headers=None):
            scheme, _sep, rest = url.partition(":")
            scheme = scheme.lower()
            if scheme == ASSET_SCHEME and rest in self.assets:
                asset = self.assets[rest]
                if asset.data is not None:
                    return URLFetcherResponse(url, asset.data, {"Content-Type": asset.mime})
            if scheme == STATIC_SCHEME:
                data, mime = read_static(rest)
                if data is not None:
                    return URLFetcherResponse(url, data, {"Content-Type": mime})
            self.refused.append(url)
            raise ValueError(f"refused by the print fetcher: {url[:200]}")

    return SafeFetcher


def make_fetcher(assets=()):
    return _fetcher_class()(assets)


def read_static(path):
    """Bytes and type of one of the app's own static files, or (None, None)."""
    path = path.lstrip("/")
    if not path or ".." in path.split("/") or "\\" in path:
        return None, None
    found = finders.find(path)
    if not found:
        return None, None
    with open(found, "rb") as fh:
        data = fh.read()
    return data, mimetypes.guess_type(path)[0] or "application/octet-stream"


@functools.cache
def font_config():
    """One FontConfiguration per process (fontconfig setup is the slow part of a first render)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.lru_cache(maxsize=16)
def _parsed_stylesheet(css_text):
    from weasyprint import CSS

    return CSS(string=css_text, url_fetcher=make_fetcher(), font_config=font_config())


def stylesheet(path):
    """The parsed print stylesheet; parsed once per process for each content of the file."""
    data, _mime = read_static(path)
    if data is None:
        raise PrintError(_("缺少打印样式表 %(path)s。") % {"path": path})
    return _parsed_stylesheet(data.decode("utf-8"))


# One render at a time in a process. Every render lays text out through the one font
# configuration (one Pango font map, see font_config()), and Pango and GLib are not safe to use
# from several threads at once: gunicorn's threads (gthread) rendering together printed .notdef
# boxes instead of characters and crashed a worker. Forms are small and quick, so the queue
# costs little; other processes render in parallel.
_RENDER_LOCK = threading.Lock()


def _write_pdf(html, stylesheets, assets, compact):
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turns Pillow's truncated-image leniency on for the whole process; the
    # images printed here are PNGs Pillow wrote, and uploads elsewhere must be decoded strictly.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    html_class = _compact_html_class() if compact else HTML
    document = html_class(string=html, base_url=f"{STATIC_SCHEME}:/", url_fetcher=make_fetcher(assets))
    in_place = fontpack.reading_in_place() if compact else contextlib.nullcontext()
    with _RENDER_LOCK, in_place:
        return document.write_pdf(
            stylesheets=[stylesheet(path) for path in stylesheets],
            font_config=font_config(),
            pdf_identifier=False,
            uncompressed_pdf=False,
            finisher=fontpack.finisher if compact else None,
        )


@functools.cache
def _compact_html_class():
    from weasyprint import HTML

    class CompactHTML(HTML):
        """HTML whose rendered document subsets its CJK fonts with fontpack (see fontpack.finisher)."""

        def render(self, *args, **kwargs):
            return fontpack.subsetting(super().render(*args, **kwargs))

    return CompactHTML


def render_pdf(html, *, stylesheets=(), assets=()):
    """Render `html` (already escaped by a template) to PDF bytes with our fonts and fetcher.

    Raises PrintError with a Chinese message on any failure; nothing is cached by callers then.
    """
    try:
        return _write_pdf(html, stylesheets, assets, settings.BANLI_PDF_COMPACT_FONTS)
    except PrintError:
        raise
    except Exception as exc:
        logger.error("PDF rendering failed", exc_info=exc)
        raise PrintError(_("生成 PDF 失败：%(error)s") % {"error": type(exc).__name__}) from exc


# --- fonts ---------------------------------------------------------------------------


def font_families():
    """The configured CSS font-family lists, by role."""
    return {
        "title": settings.BANLI_PDF_TITLE,
        "serif": settings.BANLI_PDF_SERIF,
        "sans": settings.BANLI_PDF_SANS,
        "kai": settings.BANLI_PDF_KAI,
        "symbol": settings.BANLI_PDF_SYMBOL,
    }


def css_family(names):
    """A CSS font-family value from a list of names, each quoted."""
    cleaned = (re.sub(r'[\\"<>{};]', "", name) for name in names)
    return ", ".join(f'"{name}"' for name in cleaned if name)


def installed_cjk_families():
    """Font families fontconfig knows that cover Chinese, or None when fontconfig cannot be asked."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families: set[str] = set()
    for line in out.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families
