"""Measuring a typeset letter: the lines of each page as pdfplumber sees them (positions in mm).

A line is the characters of one size on one baseline; the body is 三号 (16 pt). Positions are
those of each character's em box (pdfplumber's top/x0/x1 for a CID font), in millimetres from
the page's top-left corner.
"""

import io
from dataclasses import dataclass, field

import pdfplumber

MM = 72 / 25.4
BODY_PT = 16.0
# Punctuation whose glyph sits in the left half of its em box (may be set half-width at a line end).
LEFT_ALIGNED = set("，。、；：！？）》”’〕】〉")
RIGHT_ALIGNED = set("（《“‘〔【〈")
# Kinsoku (GB/T 15834, clreq): never at the start of a line / never at its end.
NOT_AT_START = set("，。、；：！？）》”’〕】〉…—·%")
NOT_AT_END = set("（《“‘〔【〈")


def is_cjk(char):
    code = ord(char)
    return 0x3000 <= code <= 0x9FFF or 0xFF00 <= code <= 0xFFEF or char in "“”‘’—…·"


@dataclass
class Line:
    size: float
    top: float
    chars: list = field(default_factory=list)

    @property
    def text(self):
        return "".join(c["text"] for c in self.chars)

    @property
    def left(self):
        return self.chars[0]["x0"] / MM

    @property
    def right(self):
        """Right edge of the last character's box."""
        last = self.chars[-1]
        return last["x1"] / MM

    @property
    def ink_left(self):
        """Where the ink starts: an opening bracket or quote sits in the right half of its box."""
        first = self.chars[0]
        return (first["x0"] + first["size"] / 2) / MM if first["text"] in RIGHT_ALIGNED else self.left

    @property
    def ink_right(self):
        """Where the ink ends: punctuation that sits in the left half of its box ends at the half."""
        return self.right_half if self.chars[-1]["text"] in LEFT_ALIGNED else self.right

    @property
    def right_half(self):
        last = self.chars[-1]
        return (last["x0"] + last["size"] / 2) / MM

    @property
    def bottom(self):
        return self.top + self.size / MM


@dataclass
class Page:
    number: int
    lines: list

    def body_lines(self):
        return [line for line in self.lines if abs(line.size - BODY_PT) < 0.2]


def pages(pdf_bytes):
    result = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for index, page in enumerate(pdf.pages, start=1):
            lines = {}
            for char in page.chars:
                if not char["text"].strip():
                    continue
                key = (round(char["size"], 1), round(char["top"] / MM / 0.5))
                lines.setdefault(key, Line(size=round(char["size"], 1), top=char["top"] / MM)).chars.append(char)
            ordered = sorted(lines.values(), key=lambda line: (line.top, line.size))
            for line in ordered:
                line.chars.sort(key=lambda c: c["x0"])
            result.append(Page(index, ordered))
    return result
