"""How long, and how much memory, the 交办清单 import takes to refuse an .xlsx bomb.

    python bench/xlsx_bombs.py [--tree PATH] [--runs 3] [--timeout 120]

Builds the bombs (each a few hundred KB at most), then, for each, reads it with
`supervision.importer.read_rows` in a fresh process and prints that process's CPU time (median
of --runs runs), the growth of its peak resident memory (ru_maxrss after minus before: Django
and the bomb's own bytes are not counted), the peak of the memory Python allocated while reading
(tracemalloc, one more run), and what the importer answered. --tree runs the code
of another checkout (e.g. an older version) on the same bombs, for a before/after comparison; a
run past --timeout seconds is stopped and reported as such.

- shared-string: one cell whose text, repeated "A"s, deflates from ~500 MB to ~500 KB;
- blank-rows: the header, then 1,000,000 empty <row/> elements;
- far-row: the header, then one row numbered 1,048,576 (openpyxl fills the gap with empty rows);
- reference: a well-formed list of 2,000 rows, what an office really uploads.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["会次", "编号", "案由", "类型", "领衔人", "联名人", "承办单位", "交办日期"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

CHILD = r"""
import json, os, resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
import openpyxl
from supervision import importer
data = open(sys.argv[2], "rb").read()
traced = sys.argv[3] == "traced"
if traced:
    tracemalloc.start()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
try:
    answer = "read %d rows" % len(importer.read_rows(data))
except importer.ImportFileError as exc:
    answer = "refused: " + str(exc)
cpu = time.process_time() - started
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
peak = tracemalloc.get_traced_memory()[1] if traced else 0
print(json.dumps({"cpu_s": cpu, "rss_growth_mb": grown / 1024, "peak_mb": peak / 1024 / 1024, "answer": answer}))
"""


def base_workbook(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_part(data, name, content):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, content)
    return out.getvalue()


def sheet(rows_xml):
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        + rows_xml
        + "</sheetData></worksheet>"
    ).encode()


def bombs():
    reference_rows = [
        [
            "黄石市政协十四届一次会议",
            n,
            f"关于第{n}件事的提案",
            "提案",
            "程玮",
            "王秋红",
            "市经信局（主办）",
            "2026-03-10",
        ]
        for n in range(1, 2001)
    ]
    # The first cell of the sheet refers to the shared string table, which the content types list.
    shared = with_part(
        with_part(
            base_workbook([]),
            "[Content_Types].xml",
            zipfile.ZipFile(io.BytesIO(base_workbook([])))
            .read("[Content_Types].xml")
            .replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            ),
        ),
        "xl/worksheets/sheet1.xml",
        sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
    )
    shared = with_part(
        shared,
        "xl/sharedStrings.xml",
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode() + b"A" * 500_000_000 + b"</t></si></sst>",
    )
    # A proper header row (inline strings), so that the rows after it are read as data.
    header = (
        '<row r="1">'
        + "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(HEADER))
        + "</row>"
    )
    return {
        "shared-string": shared,
        "blank-rows": with_part(base_workbook([]), "xl/worksheets/sheet1.xml", sheet(header + "<row/>" * 1_000_000)),
        "far-row": with_part(base_workbook([]), "xl/worksheets/sheet1.xml", sheet(header + '<row r="1048576"/>')),
        "reference": base_workbook(reference_rows),
    }


def measure(tree, path, timeout, mode="plain"):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(tree), str(path), mode],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        ).stdout
    except subprocess.TimeoutExpired:
        nan = float("nan")
        return {"cpu_s": float("inf"), "rss_growth_mb": nan, "peak_mb": nan, "answer": f"stopped after {timeout} s"}
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", default=str(ROOT), help="checkout whose importer to run (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    scratch = Path(tempfile.mkdtemp(prefix="banli-bombs-"))
    print(f"importer of {args.tree}; median of {args.runs} runs, each in a fresh process")
    print(f"{'file':<14}{'size KB':>9}{'CPU s':>9}{'RSS +MB':>9}{'alloc MB':>10}  answer")
    for name, data in bombs().items():
        path = scratch / f"{name}.xlsx"
        path.write_bytes(data)
        results = [measure(Path(args.tree), path, args.timeout) for _ in range(args.runs)]
        cpu = statistics.median(r["cpu_s"] for r in results)
        rss = statistics.median(r["rss_growth_mb"] for r in results)
        peak = measure(Path(args.tree), path, args.timeout, mode="traced")["peak_mb"]
        answer = results[0]["answer"][:70]
        print(f"{name:<14}{len(data) / 1024:>9.0f}{cpu:>9.3f}{rss:>9.1f}{peak:>10.1f}  {answer}")


if __name__ == "__main__":
    main()
