"""Reading PDFs in tests: text (pypdf), line boxes (poppler's pdftotext -bbox-layout), fonts (pdffonts)."""

import html
import io
import re
import subprocess
import tempfile

from pypdf import PdfReader

PT_PER_MM = 72 / 25.4
LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S)
WORD = re.compile(r"<word[^>]*>(.*?)</word>", re.S)
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def reader(data):
    return PdfReader(io.BytesIO(data))


def page_texts(data):
    return [page.extract_text() or "" for page in reader(data).pages]


def squash(text):
    return re.sub(r"\s+", "", text)


def _poppler(tool, data, *args):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(
            [tool, *args, fh.name, "-"] if tool == "pdftotext" else [tool, *args, fh.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def page_lines(data):
    """Per page: a list of dicts x0, y0, x1 (mm) and text (words joined without spaces)."""
    out = _poppler("pdftotext", data, "-bbox-layout")
    pages = []
    for page in PAGE.findall(out):
        lines = []
        for x0, y0, x1, _y1, inner in LINE.findall(page):
            text = "".join(html.unescape(w) for w in WORD.findall(inner))
            lines.append(
                {"x0": float(x0) / PT_PER_MM, "y0": float(y0) / PT_PER_MM, "x1": float(x1) / PT_PER_MM, "text": text}
            )
        pages.append(sorted(lines, key=lambda line: (round(line["y0"], 1), line["x0"])))
    return pages


def fonts(data):
    """(name, embedded, subset) for each font in the PDF."""
    rows = _poppler("pdffonts", data).splitlines()[2:]
    result = []
    for row in rows:
        parts = row.split()
        # name type... emb sub uni object ID: emb/sub/uni are the 5th-3rd last columns
        result.append((parts[0], parts[-5] == "yes", parts[-4] == "yes"))
    return result


def fonts_of_text(data, page_index, needle):
    """Base font names used to draw the text chunks containing `needle` on one page."""
    found = set()
    buffer = []

    def visit(text, cm, tm, font_dict, font_size):
        if font_dict and text:
            buffer.append((text, str(font_dict.get("/BaseFont"))))

    reader(data).pages[page_index].extract_text(visitor_text=visit)
    for text, font in buffer:
        if needle in text:
            found.add(font)
    return found


def images(data):
    """Raster images drawn in the PDF (including inside form XObjects): (width, height, soft mask?) each."""

    def found(resources):
        for ref in ((resources or {}).get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                yield int(obj["/Width"]), int(obj["/Height"]), "/SMask" in obj
            elif obj.get("/Subtype") == "/Form":
                yield from found(obj.get("/Resources"))

    return [image for page in reader(data).pages for image in found(page.get("/Resources"))]


def image_count(data):
    return len(images(data))


def page_pixels(data, page, dpi=60):
    """The grey pixels of one page as rendered by poppler (pdftoppm)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pdf_path = f"{tmp}/doc.pdf"
        with open(pdf_path, "wb") as fh:
            fh.write(data)
        subprocess.run(
            [
                "pdftoppm",
                "-gray",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                pdf_path,
                f"{tmp}/p",
            ],
            check=True,
        )
        with Image.open(f"{tmp}/p.pgm") as image:
            return image.tobytes()
