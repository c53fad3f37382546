"""The Typst engine: formal letters typeset from a template in the repo and JSON data.

- The template (printing/typst/*.typ) reads everything it prints from `sys.inputs.data`, a
  JSON string; no user text is ever put into Typst source, so a body that reads
  `#read("/etc/passwd")` prints exactly that. The compiler's root is the template folder.
- Fonts come only from the configured folders (BANLI_FONT_PATHS), never the system's, so a
  letter comes out the same on every server. Each role (title, body, headings) is a list of
  families; the first one found in those folders is the one used (`resolve_fonts`).
- One compiler per template and process, kept warm (its fonts are loaded once); a lock lets
  one thread at a time use it. Nothing is shared between processes.
"""

import functools
import json
import logging
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


def compile_pdf(template, data, *, marks=None):
    """PDF/A-2b bytes of `template` with `data` (a JSON-serialisable dict); TypesetError on failure.

    With `marks` (a label such as "<letter-start>"): (PDF bytes, the values of the metadata so labelled).
    """
    import typst

    compiler, lock = _compiler(template)
    payload = json.dumps(data, ensure_ascii=False)
    try:
        with lock:
            pdf = compiler.compile(format="pdf", sys_inputs={"data": payload}, pdf_standards=[PDF_STANDARD])
            if marks is None:
                return pdf
            return pdf, json.loads(compiler.query(marks, field="value", format="json"))
    except typst.TypstError as exc:
        message = getattr(exc, "message", None) or (exc.args[0] if exc.args else str(exc))
        logger.error("Typst failed on %s: %s %s", template, message, getattr(exc, "hints", ""))
        raise TypesetError(_("排版失败：%(error)s") % {"error": message}) from exc
    except Exception as exc:
        logger.error("Typst failed on %s", template, exc_info=exc)
        raise TypesetError(_("生成 PDF 失败：%(error)s") % {"error": type(exc).__name__}) from exc


def warm(template):
    """Load the fonts and a template's compiler in this process (a web worker at boot)."""
    _compiler(template)
