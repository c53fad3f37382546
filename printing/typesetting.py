"""The Typst engine: formal letters typeset from a template in the repo and JSON data.

- The template (printing/typst/*.typ) reads everything it prints from `sys.inputs.data`, a
  JSON string; no user text is ever put into Typst source, so a body that reads
  `#read("/etc/passwd")` prints exactly that. The compiler's root is the template folder.
- Fonts come only from the configured folders (BANLI_FONT_PATHS), never the system's, so a
  letter comes out the same on every server. Each role (title, body, headings) is a list of
  families; the first one found in those folders is the one used (`resolve_fonts`).
- One compiler per template and process, kept warm (its fonts are loaded once); a lock lets
  one thread at a time use it. Nothing is shared between processes.
- A batch gets a compiler of its own (`subset_compiler`) whose fonts hold only the characters
  the batch prints: Typst reads a font file whole, and the CJK faces are 15–25 MB each.
"""

import contextlib
import functools
import json
import logging
import string
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .pdf import PrintError

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "typst"
PDF_STANDARD = "a-2b"
# Weights from which a face counts as bold (OpenType: 600 semibold, 700 bold).
BOLD_WEIGHT = 600

ROLES = {
    "title": "BANLI_PDF_TITLE",
    "body": "BANLI_PDF_SERIF",
    "heading1": "BANLI_PDF_SANS",
    "heading2": "BANLI_PDF_KAI",
}


class TypesetError(PrintError):
    """Typst could not make the document; the message is for the user."""


@functools.cache
def font_book():
    """(typst.Fonts of the configured folders, {family in lower case: (family, has a bold face)})."""
    import typst

    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=font_paths())
    book: dict[str, tuple[str, bool]] = {}
    for info in fonts.fonts():
        key = info.family.lower()
        family, bold = book.get(key, (info.family, False))
        book[key] = (family, bold or info.weight >= BOLD_WEIGHT)
    return fonts, book


def font_paths():
    return [str(path) for path in settings.BANLI_FONT_PATHS if Path(path).is_dir()]


def resolve_fonts():
    """{role: (family used or None, bold face available)} for each role, from the configured lists."""
    _fonts, book = font_book()
    resolved = {}
    for role, setting in ROLES.items():
        found = next((book[name.lower()] for name in getattr(settings, setting) if name.lower() in book), None)
        resolved[role] = found or (None, False)
    return resolved


def covers_chinese(family):
    """Whether a family of the configured folders has the common Chinese characters (checked once)."""
    return _covers_chinese(family, tuple(font_paths()))


@functools.cache
def _covers_chinese(family, paths):
    from fontTools.ttLib import TTCollection, TTFont

    fonts, _book = font_book()
    for info in fonts.fonts():
        if info.family != family or not info.path:
            continue
        try:
            if info.path.lower().endswith((".ttc", ".otc")):
                font = TTCollection(info.path, lazy=True).fonts[info.index]
            else:
                font = TTFont(info.path, lazy=True)
            cmap = font.getBestCmap() or {}
        except Exception:  # an unreadable file: it covers nothing
            logger.warning("Cannot read font %s", info.path, exc_info=True)
            continue
        return all(ord(char) in cmap for char in "中华人民共和国答复函")
    return False


def fonts_data():
    """The `fonts` entry of a template's data: each role's family list (found ones first) and bold flags."""
    resolved = resolve_fonts()
    data = {}
    for role, (family, _bold) in resolved.items():
        # Typst falls back along the list glyph by glyph; the body face backs every role.
        chain = [family] if family else []
        body = resolved["body"][0]
        if body and body not in chain:
            chain.append(body)
        data[role] = chain or ["Noto Serif CJK SC"]
    data["title_bold"] = resolved["title"][1]
    data["body_bold"] = resolved["body"][1]
    return data


@functools.cache
def _compiler(template):
    import typst

    fonts, _book = font_book()
    return typst.Compiler(
        input=str(TEMPLATES / template), root=str(TEMPLATES), font_paths=fonts, ignore_system_fonts=True
    ), threading.Lock()


def template_source(template):
    """The template's text (part of a document's version: a new template makes new renders)."""
    return (TEMPLATES / template).read_bytes()


def compile_pdf(template, data, *, compiler=None):
    """PDF/A-2b bytes of `template` with `data` (a JSON-serialisable dict); TypesetError on failure.

    `compiler`: one from `subset_compiler` (else the template's warm one).
    """
    import typst

    compiler, lock = compiler or _compiler(template)
    payload = json.dumps(data, ensure_ascii=False)
    try:
        with lock:
            return compiler.compile(format="pdf", sys_inputs={"data": payload}, pdf_standards=[PDF_STANDARD])
    except typst.TypstError as exc:
        message = getattr(exc, "message", None) or (exc.args[0] if exc.args else str(exc))
        logger.error("Typst failed on %s: %s %s", template, message, getattr(exc, "hints", ""))
        raise TypesetError(_("排版失败：%(error)s") % {"error": message}) from exc
    except Exception as exc:
        logger.error("Typst failed on %s", template, exc_info=exc)
        raise TypesetError(_("生成 PDF 失败：%(error)s") % {"error": type(exc).__name__}) from exc


@contextlib.contextmanager
def subset_compiler(template, text):
    """A compiler for `template` whose fonts hold only the characters of `text` (and the
    template's own): the configured faces of every role, cut down with HarfBuzz's subsetter into
    a temporary folder that lives as long as the block."""
    import typst

    characters = set(text) | set(template_source(template).decode("utf-8")) | set(string.printable)
    with tempfile.TemporaryDirectory(prefix="banli-fonts-") as folder:
        _write_subsets(Path(folder), characters)
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[folder])
        compiler = typst.Compiler(
            input=str(TEMPLATES / template), root=str(TEMPLATES), font_paths=fonts, ignore_system_fonts=True
        )
        try:
            yield compiler, threading.Lock()
        finally:
            del compiler, fonts
            release_memory()


def _write_subsets(folder, characters):
    """Each face of the families the letters use, subset to `characters`, as a file in `folder`."""
    import uharfbuzz as hb

    families = {family for role, chain in fonts_data().items() if isinstance(chain, list) for family in chain}
    fonts, _book = font_book()
    blobs = {}
    codepoints = {ord(char) for char in characters}
    for number, info in enumerate(fonts.fonts()):
        if info.family not in families or not info.path:
            continue
        if info.path not in blobs:
            blobs[info.path] = hb.Blob.from_file_path(info.path)
        spec = hb.SubsetInput()
        spec.unicode_set.update(codepoints)
        spec.layout_feature_tag_set.invert()  # every OpenType feature: vertical forms, kerning, …
        subset = hb.subset(hb.Face(blobs[info.path], info.index), spec)
        if subset is None:
            logger.warning("Cannot subset font %s #%d", info.path, info.index)
            continue
        (folder / f"{number}.otf").write_bytes(subset.blob.data)


def release_memory():
    """Let go of the layouts Typst keeps from recent documents.

    typst-py evicts Typst's memo cache after each compile, keeping what the last ten compiles
    used; a batch chunk's layouts are tens of MB, so ten empty compiles drop them."""
    compiler, lock = _empty_compiler()
    with lock:
        for _ in range(10):
            compiler.compile(input=b"", format="pdf")


@functools.cache
def _empty_compiler():
    import typst

    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[])
    return typst.Compiler(input=b"", root=str(TEMPLATES), font_paths=fonts, ignore_system_fonts=True), threading.Lock()
