"""Smaller embedded CJK fonts: a WeasyPrint finisher that drops the empty glyph slots.

WeasyPrint subsets fonts keeping every glyph id up to the highest one used (so that the
glyph ids in the page content stay valid). For a CJK font that is ~62,000 empty slots
per face, about 150 KB per face after compression: a three-face letter weighed ~500 KB.

The CJK fonts we use (Noto CJK, and most Chinese OpenType fonts) are CID-keyed CFF. In a
PDF such a font can be embedded as a bare CFF program (FontFile3 /CIDFontType0C) whose
charset maps each CID (the code in the page content) to its glyph, so the unused slots
can simply be left out without touching the content streams. The glyphs kept are exactly
those the PDF's width arrays (/W) list as used, plus .notdef. Any font that is not a
CID-keyed CFF, or anything unexpected, is left as WeasyPrint wrote it.
"""

import io
import logging
from types import SimpleNamespace

logger = logging.getLogger(__name__)


def _used_glyphs(pdf):
    """{font file object number: set of glyph ids used}, read from the CID fonts' /W arrays."""
    import pydyf

    by_number = {obj.number: obj for obj in pdf.objects if hasattr(obj, "number")}
    used = {}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/CIDFontType0":
            continue
        descriptor = by_number.get(_ref_number(obj.get("FontDescriptor")))
        if descriptor is None or "FontFile3" not in descriptor:
            continue
        glyphs = used.setdefault(_ref_number(descriptor["FontFile3"]), set())
        widths = list(obj.get("W") or [])
        for first, run in zip(widths[::2], widths[1::2], strict=False):
            glyphs.update(range(int(first), int(first) + len(run)))
    return used


def _ref_number(reference):
    if reference is None:
        return None
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def compact_cff(otf_bytes, glyph_ids):
    """The bare CFF program of an OpenType CID font with only `glyph_ids` (and .notdef) kept, or None."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(otf_bytes), lazy=True)
    if "CFF " not in font.reader.keys():
        return None
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(font.reader["CFF "]), None)
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS") or not hasattr(top, "FDSelect"):
        return None
    charstrings = top.CharStrings
    index = charstrings.charStringsIndex
    count = len(index)
    keep = sorted({0} | {gid for gid in glyph_ids if 0 <= gid < count})
    names = [top.charset[gid] for gid in keep]
    index.items = [index[gid] for gid in keep]
    del index.file, index.offsets
    top.FDSelect.format = None
    top.FDSelect.gidArray = [top.FDSelect.gidArray[gid] for gid in keep]
    charstrings.charStrings = {name: position for position, name in enumerate(names)}
    top.charset = names
    out = io.BytesIO()
    cff.compile(out, SimpleNamespace(recalcBBoxes=False))
    return out.getvalue()


def finisher(document, pdf):
    """WeasyPrint finisher: re-embed CID-keyed CFF fonts as bare CFF with only the glyphs used."""
    import pydyf

    try:
        used = _used_glyphs(pdf)
    except Exception:
        logger.warning("Could not read the fonts' glyph lists; fonts left as they are", exc_info=True)
        return
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or obj.extra.get("Subtype") != "/OpenType":
            continue
        glyphs = used.get(getattr(obj, "number", None))
        if not glyphs:
            continue
        try:
            cff = compact_cff(b"".join(obj.stream), glyphs)
        except Exception:
            logger.warning("Could not compact an embedded font; left as it is", exc_info=True)
            continue
        if cff:
            obj.stream = [cff]
            obj.extra["Subtype"] = "/CIDFontType0C"
