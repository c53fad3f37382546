"""Smaller embedded CJK fonts, subset once: our own subsetting pass for CID-keyed CFF fonts.

WeasyPrint subsets each font with HarfBuzz keeping every glyph id up to the highest one
used (so that the glyph ids in the page content stay valid): for a CJK font that is
~62,000 empty slots per face, about 150 KB per face after compression, and two HarfBuzz
passes over a 65,535-glyph font plus zlib over the result on every render.

The CJK fonts we use (Noto CJK, and most Chinese OpenType fonts) are CID-keyed CFF. In a
PDF such a font can be embedded as a bare CFF program (FontFile3 /CIDFontType0C) whose
charset maps each CID (the code in the page content) to its glyph, so the unused slots
can simply be left out. HarfBuzz keeps the CIDs of a CID-keyed font in the charset when
it renumbers the glyphs, so one plain subsetting pass (no retained ids) gives the program
we embed, provided the font's CIDs are its glyph ids (checked once per face). `subsetting(document)` makes the fonts of a WeasyPrint document use that
pass; `finisher` swaps the subset program in for the OpenType file WeasyPrint would embed.

A font that is not CID-keyed CFF, whose CIDs are not its glyph ids, or that HarfBuzz
cannot subset, goes through WeasyPrint's own subsetting unchanged.

Subsets are cached per process by (face, glyph set): a face whose glyphs did not change
(re-rendering the same text; an edit of the body leaves the title and heading faces alone)
is not subset again. Subsetting a face costs a few milliseconds; the cache saves ~5% of a
render, bench/pdf.py reports renders with and without it.

WeasyPrint also copies the whole font file out of HarfBuzz for each face a render meets
(20-27 MB for a Noto CJK collection), to be replaced by the subset at once. Within
`reading_in_place()` that read gives a view of HarfBuzz's own copy instead (see below).
"""

import contextlib
import contextvars
import functools
import logging
import struct
import threading
from collections import OrderedDict

logger = logging.getLogger(__name__)

CFF_TAG = b"CFF "
# Tables WeasyPrint drops, plus the layout tables: without them HarfBuzz does no layout
# closure (alternates never drawn); the subset holds the glyphs used, plus the few variants
# the cmap's variation sequences name.
DROP_TABLES = (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
    b"PCLT", b"SVG ", b"MATH", b"kern",
)  # fmt: skip
CACHE_BYTES = 16 * 2**20


class _SubsetCache:
    """A small LRU of (OpenType, CFF) subsets, bounded in bytes; safe across threads."""

    def __init__(self, max_bytes=CACHE_BYTES):
        self.max_bytes = max_bytes
        self.items = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is None:
                self.misses += 1
                return None
            self.items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key, value):
        size = sum(len(part) for part in value)
        if size > self.max_bytes:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.size += size
            while self.size > self.max_bytes:
                _key, old = self.items.popitem(last=False)
                self.size -= sum(len(part) for part in old)

    def clear(self):
        with self.lock:
            self.items.clear()
            self.size = 0
            self.hits = self.misses = 0


cache = _SubsetCache()


# --- reading a bare CFF program -------------------------------------------------------------


def _index(data, offset):
    """(list of (start, end) of the items, offset after the INDEX) of the CFF INDEX at `offset`."""
    (count,) = struct.unpack_from(">H", data, offset)
    if count == 0:
        return [], offset + 2
    off_size = data[offset + 2]
    base = offset + 3 + (count + 1) * off_size - 1
    offsets = []
    for i in range(count + 1):
        at = offset + 3 + i * off_size
        offsets.append(int.from_bytes(data[at : at + off_size], "big"))
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)], base + offsets[-1]


def _top_dict(data, start, end):
    """{operator: [operands]} of a CFF DICT; two-byte operators are 1200 + b1."""
    result: dict[int, list] = {}
    operands: list = []
    i = start
    while i < end:
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                op, i = 1200 + data[i + 1], i + 2
            else:
                op, i = b0, i + 1
            result[op] = operands
            operands = []
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b0 == 30:  # real number: skip its nibbles
            i += 1
            while (data[i] & 0x0F) != 0x0F and (data[i] >> 4) != 0x0F:
                i += 1
            i += 1
            operands.append(0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise ValueError("bad CFF DICT")
    return result


def cid_charset(cff):
    """The CIDs of the glyphs of a CID-keyed CFF program (glyph 0 first), or None if not CID-keyed."""
    data = memoryview(cff)
    header_size = data[2]
    _names, offset = _index(data, header_size)
    tops, offset = _index(data, offset)
    top = _top_dict(data, *tops[0])
    if 1230 not in top or 15 not in top or 17 not in top:  # ROS, charset, CharStrings
        return None
    (count,) = struct.unpack_from(">H", data, top[17][0])
    at = top[15][0]
    fmt = data[at]
    at += 1
    cids = [0]
    if fmt == 0:
        cids.extend(struct.unpack_from(f">{count - 1}H", data, at))
    elif fmt in (1, 2):
        while len(cids) < count:
            first = struct.unpack_from(">H", data, at)[0]
            if fmt == 1:
                left = data[at + 2]
                at += 3
            else:
                left = struct.unpack_from(">H", data, at + 2)[0]
                at += 4
            cids.extend(range(first, first + left + 1))
    else:
        return None
    return cids[:count]


# --- subsetting -------------------------------------------------------------------------------


def _harfbuzz_subset(hb_face, gids, *, hinting, notdef_outline):
    """(OpenType file, its 'CFF ' table) of a HarfBuzz subset of `hb_face` keeping `gids` (renumbered), or None."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    hb_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    if hb_input == ffi.NULL:
        return None
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(hb_input)
    # An open array ("[]"): cffi parses a type's text once and caches it, so "[n]" with a new n
    # each render would run its C parser again every time.
    glyphs = ffi.new("hb_codepoint_t[]", gids)
    harfbuzz.hb_set_add_sorted_array(glyph_set, glyphs, len(gids))
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if notdef_outline:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(hb_input, flags)
    drop = harfbuzz_subset.hb_subset_input_set(hb_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new("hb_codepoint_t[]", tags), len(tags))
    face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(hb_face, hb_input), harfbuzz.hb_face_destroy)
    if face == ffi.NULL:
        return None
    otf = _blob_bytes(harfbuzz.hb_face_reference_blob(face))
    cff = _blob_bytes(harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(CFF_TAG, -1)))
    return (otf, cff) if otf and cff else None


def _blob_bytes(blob):
    from weasyprint.text.ffi import ffi, harfbuzz

    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return b"" if data == ffi.NULL else ffi.unpack(data, int(length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)


def subset_cid_font(font, to_unicode, hinting):
    """(OpenType file, bare CFF program) with only the glyphs of `to_unicode` for a WeasyPrint Font, or None.

    None when the font is not a CID-keyed CFF whose CIDs are its glyph ids (then the page
    content's glyph ids could not be kept as they are) or when HarfBuzz fails.
    """
    if "CFF " not in font.tables or "fvar" in font.tables or font.bitmap or font.png or font.svg or font.colr:
        return None
    face = (font.hash, font.index, font.glyph_count, font.upem)
    if not _cids_are_glyph_ids(face, font.hb_face):
        return None
    gids = sorted({0} | {gid for gid in to_unicode if gid < font.glyph_count})
    key = (*face, bool(hinting), bool(font.missing), tuple(gids))
    subset = cache.get(key)
    if subset is None:
        subset = _harfbuzz_subset(font.hb_face, gids, hinting=hinting, notdef_outline=bool(font.missing))
        # HarfBuzz may add a few glyphs (variants named by the cmap's variation sequences); each
        # glyph keeps its CID, which is its original glyph id, so the page content stays valid.
        if subset is None or subset[0][:4] != b"OTTO" or not set(gids) <= set(cid_charset(subset[1]) or ()):
            return None
        cache.put(key, subset)
    return subset


_identity_faces = {}


def _cids_are_glyph_ids(face, hb_face):
    """Whether the face is a CID-keyed CFF font whose glyph n has CID n (read once per face)."""
    if face not in _identity_faces:
        from weasyprint.text.ffi import ffi, harfbuzz

        blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(CFF_TAG, -1))
        try:
            length = ffi.new("unsigned int *")
            data = harfbuzz.hb_blob_get_data(blob, length)
            identity = False
            if data != ffi.NULL and length[0]:
                try:
                    cids = cid_charset(ffi.buffer(data, int(length[0])))
                    identity = cids is not None and all(cid == gid for gid, cid in enumerate(cids))
                except (ValueError, IndexError, struct.error):
                    identity = False
        finally:
            harfbuzz.hb_blob_destroy(blob)
        _identity_faces[face] = identity
    return _identity_faces[face]


class _SubsettingFonts(dict):
    """`Document.fonts` whose Font objects subset themselves with `subset_cid_font`."""

    def __setitem__(self, key, font):
        if not hasattr(font, "banli_cff"):
            font.banli_cff = None
            font.subset = _subset_method(font, font.subset)
        super().__setitem__(key, font)


def _subset_method(font, weasyprint_subset):
    def subset(to_unicode, hinting):
        subset = None
        if to_unicode:
            try:
                subset = subset_cid_font(font, to_unicode, hinting)
            except Exception:
                logger.warning("Could not subset %s; WeasyPrint subsets it", font.family, exc_info=True)
        if subset is None:
            weasyprint_subset(to_unicode, hinting)
        else:
            # WeasyPrint embeds file_content as an OpenType font (valid on its own); the
            # finisher then replaces it with the bare CFF program, the smaller form.
            font.file_content, font.banli_cff = subset

    return subset


def subsetting(document):
    """Make a rendered (not yet written) WeasyPrint document subset its CID fonts with us."""
    fonts = _SubsettingFonts()
    for key, font in document.fonts.items():
        fonts[key] = font
    document.fonts = fonts
    return document


# --- the whole font file, read in place ------------------------------------------------------
#
# WeasyPrint's Font() reads the face's whole file (get_hb_object_data(face)) as a fresh bytes
# copy, for each face of each render, and our subset replaces it before anything else reads
# it. Within `reading_in_place()` that read (and only that kind: the whole file of a face)
# returns a read-only view of the blob HarfBuzz already holds; the view keeps the blob alive.
# What WeasyPrint does with the file still works on a view (slices, len, BytesIO), except
# writing it into the PDF: `finisher` turns a file still to be embedded as a view into bytes.

_in_place = contextvars.ContextVar("banli_font_file_in_place", default=False)


@contextlib.contextmanager
def reading_in_place():
    """Within: WeasyPrint reads font files as views of HarfBuzz's blobs, not copies (use with `finisher`)."""
    _install_in_place_reads()
    token = _in_place.set(True)
    try:
        yield
    finally:
        _in_place.reset(token)


@functools.cache
def _install_in_place_reads():
    from weasyprint.pdf import fonts as weasyprint_fonts

    read = weasyprint_fonts.get_hb_object_data

    @functools.wraps(read)
    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None and _in_place.get():
            return _blob_view(hb_object)
        return read(hb_object, ot_color, glyph)

    weasyprint_fonts.get_hb_object_data = get_hb_object_data


def _blob_view(hb_face):
    """The face's whole file as a memoryview of HarfBuzz's blob (no copy), or None."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_blob(hb_face)
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    if data == ffi.NULL:
        harfbuzz.hb_blob_destroy(blob)
        return None
    # The blob's reference is given back when the last view of it (and `owner`) is gone.
    owner = ffi.gc(data, lambda _data: harfbuzz.hb_blob_destroy(blob))
    return memoryview(ffi.buffer(owner, int(length[0]))).toreadonly()


def finisher(document, pdf):
    """WeasyPrint finisher: embed each font we subset as its bare CFF program (CIDFontType0C),
    and any other font file read in place as bytes."""
    import pydyf  # type: ignore[import-untyped]

    programs = {}
    for font in document.fonts.values():
        cff = getattr(font, "banli_cff", None)
        if cff is not None:
            programs[id(font.file_content)] = cff
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or len(obj.stream) != 1:
            continue
        # Looked up before a view becomes bytes: the id is the file's as the font holds it.
        cff = programs.get(id(obj.stream[0])) if obj.extra.get("Subtype") == "/OpenType" else None
        if isinstance(obj.stream[0], memoryview):
            obj.stream = [obj.stream[0].tobytes()]  # pydyf writes bytes, not views
        if cff is not None:
            obj.stream = [cff]
            obj.extra["Subtype"] = "/CIDFontType0C"
