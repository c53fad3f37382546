"""PDF benchmark: prints one JSON line per figure, each against the issue's target.

    .venv/bin/python bench/pdf.py [--renders 100] [--letters 200] [--runs 7]

Builds the demo data in a throw-away SQLite file and media folder, then measures, in one run:
- letter: the seed 000 letter (委员提案〔2021〕110号) through the app (Typst, warm compiler;
  "varied" changes one character of the body each run, so nothing is reused from the previous
  render) vs naive WeasyPrint of the same letter (its HTML view and print CSS, a new
  FontConfiguration each time) vs Chromium printing the same HTML (a warm headless browser),
  runs interleaved so that all sides see the same machine load; cold = the first render;
- form: the signed feedback form (WeasyPrint), with and without our font compaction;
- memory: RSS growth over --renders letters of varied content;
- cached: median download of the stored letter through the view (ETag) vs a render;
- first letter after boot: a new process's first render with and without the workers' warm-up
  (printing.documents.warm, called by gunicorn's post_worker_init), in turn; the same for the
  first signed feedback form;
- batch: --letters letters into one PDF with printing.batch (time, peak RSS, bytes) vs naive
  WeasyPrint of one HTML document holding the same letters; ours runs once before the naive
  document and twice after (the median is quoted); a worker's peak RSS as batches are built now
  and with the whole font files and no release between chunks (as they were), in turn.

Every figure gives wall seconds and CPU seconds (this process; Chromium's own processes are
not counted in its CPU): on a shared machine the wall ratio moves with the load, the CPU
ratio much less. Each line carries the load average when it was measured.
"""

import argparse
import io
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def emit(**figures):
    figures["load"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, ensure_ascii=False), flush=True)


class RssPeak:
    """Highest VmRSS of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self):
        import threading

        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def timed(fn):
    """(wall s, CPU s) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved(sides, runs):
    """{side: (median wall s, median CPU s)}, the sides run in turn `runs` times."""
    walls = {name: [] for name in sides}
    cpus = {name: [] for name in sides}
    for _ in range(runs):
        for name, fn in sides.items():
            wall, cpu = timed(fn)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in sides}


PAGE_CSS = "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=100, help="renders for the memory figure")
    parser.add_argument("--runs", type=int, default=7, help="runs per median")
    parser.add_argument("--letters", type=int, default=200, help="letters in the batch figure")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="banli-bench-")
    os.environ["BANLI_SQLITE_PATH"] = f"{tmp}/bench.sqlite3"
    os.environ["BANLI_MEDIA_ROOT"] = f"{tmp}/media"
    os.environ.pop("DATABASE_URL", None)
    os.environ["BANLI_SECOND_FACTOR"] = "0"  # the supervisor downloads without enrolling a second factor
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from pypdf import PdfReader
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from feedback.models import Feedback
    from printing import batch, documents, pdf
    from replies import body
    from replies.models import Reply

    reply = Reply.objects.select_related("assignment__unit", "assignment__proposal").get(
        assignment__proposal__number__contains="〔2021〕110号"
    )
    form = Feedback.objects.get(reply=reply)
    letter_css = pdf.read_static("css/print-letter.css")[0].decode() + PAGE_CSS

    # --- one letter: ours (Typst) vs naive WeasyPrint vs Chromium ---------------------------
    started = time.perf_counter()
    data = documents.reply_letter(reply).render()
    cold = time.perf_counter() - started
    counter = iter(range(10**9))

    def varied():
        """The letter with one character of its last paragraph changed: a render with nothing to reuse."""
        paragraphs = [dict(p) for p in body.paragraphs_of(reply)]
        paragraphs[-1]["text"] += "一二三四五六七八九"[next(counter) % 9]
        reply.body_paragraphs = paragraphs
        return documents.reply_letter(reply).render()

    same = documents.reply_letter(reply)
    html = re.sub(r"<(link|script)[^>]*>(</script>)?", "", documents.reply_letter_preview(reply))

    def naive():
        font_config = FontConfiguration()
        HTML(string=html, base_url=str(ROOT)).write_pdf(
            stylesheets=[CSS(string=letter_css, font_config=font_config)], font_config=font_config
        )

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page()
    inline = html.replace("</head>", f"<style>{letter_css}</style></head>")

    def chromium():
        page.set_content(inline)
        page.pdf(prefer_css_page_size=True, print_background=True)

    chromium()
    figures = interleaved({"varied": varied, "same": same.render, "naive": naive, "chromium": chromium}, args.runs)
    browser.close()
    playwright.stop()
    ours, ours_cpu = figures["varied"]
    naive_s, naive_cpu = figures["naive"]
    chromium_s, chromium_cpu = figures["chromium"]
    emit(
        figure="letter",
        pages=len(PdfReader(io.BytesIO(data)).pages),
        pdf_kb=round(len(data) / 1024, 1),
        cold_s=round(cold, 3),
        ours_varied_s=round(ours, 4),
        ours_same_content_s=round(figures["same"][0], 4),
        naive_weasyprint_s=round(naive_s, 3),
        chromium_s=round(chromium_s, 3),
        ratio_vs_naive=round(ours / naive_s, 3),
        cpu_ratio_vs_naive=round(ours_cpu / naive_cpu, 3),
        ratio_vs_chromium=round(ours / chromium_s, 3),
        target_ratio_vs_naive=0.1,
    )

    # --- the signed form (WeasyPrint), with and without font compaction -----------------------
    form_doc = documents.feedback_form(form)

    def form_plain():
        with override_settings(BANLI_PDF_COMPACT_FONTS=False):
            return form_doc.render()

    form_doc.render()
    forms = interleaved({"compact": form_doc.render, "plain": form_plain}, args.runs)
    with override_settings(BANLI_PDF_COMPACT_FONTS=False):
        plain_kb = len(form_doc.render()) / 1024
    emit(
        figure="form",
        ours_s=round(forms["compact"][0], 3),
        cpu_ours_s=round(forms["compact"][1], 3),
        without_font_compaction_s=round(forms["plain"][0], 3),
        cpu_without_font_compaction_s=round(forms["plain"][1], 3),
        pdf_kb=round(len(form_doc.render()) / 1024, 1),
        without_font_compaction_kb=round(plain_kb, 1),
    )

    # --- memory over many renders ---------------------------------------------------------------
    for _ in range(5):
        varied()
    before = rss_mb()
    for _ in range(args.renders):
        varied()
    emit(
        figure="rss_growth",
        renders=args.renders,
        before_mb=round(before, 1),
        after_mb=round(rss_mb(), 1),
        growth_mb=round(rss_mb() - before, 1),
        target_mb=20,
    )
    reply.refresh_from_db()

    # --- the stored letter downloaded again ---------------------------------------------------
    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    url = reverse("printing:reply_pdf", args=[reply.pk])
    b"".join(client.get(url).streaming_content)
    downloads = [timed(lambda: b"".join(client.get(url).streaming_content)) for _ in range(args.runs * 3)]
    etag = client.get(url)["ETag"]
    not_modified = [timed(lambda: client.get(url, headers={"If-None-Match": etag})) for _ in range(args.runs)]
    emit(
        figure="letter_download_cached",
        cached_median_s=round(statistics.median(w for w, _c in downloads), 4),
        cpu_cached_s=round(statistics.median(c for _w, c in downloads), 4),
        not_modified_median_s=round(statistics.median(w for w, _c in not_modified), 4),
        cached_vs_render=round(statistics.median(w for w, _c in downloads) / ours, 2),
    )

    # --- the first letter and the first signed form after boot, with and without the warm-up ----
    signed = Feedback.objects.exclude(signature="").exclude(verification_code="").first()
    for figure, pk, kind in (
        ("first_letter_after_boot", reply.pk, "letter"),
        ("first_signed_form_after_boot", signed.pk, "form"),  # WeasyPrint, as a supervisor first prints one
    ):
        firsts: dict[str, list[float]] = {"warm": [], "cold": []}
        for _ in range(2):
            for mode in firsts:
                firsts[mode].append(first_letter(pk, mode, kind=kind))
        emit(
            figure=figure,
            with_warm_up_s=round(statistics.median(firsts["warm"]), 3),
            without_warm_up_s=round(statistics.median(firsts["cold"]), 3),
            warm_runs_s=[round(x, 3) for x in firsts["warm"]],
            cold_runs_s=[round(x, 3) for x in firsts["cold"]],
        )

    # --- batch ----------------------------------------------------------------------------------
    replies = make_letters(reply, args.letters)
    rss_before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    with RssPeak() as ours_rss:
        merged = batch.build(replies, limit=10_000)
    ours_batch, ours_batch_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    # A worker's memory: the same batch built by `manage.py print_batch` in a process of its own,
    # as it is built now (fonts cut to the batch's characters, each chunk's layouts let go) and
    # as it was (the full font files, Typst's memo cache left to evict itself), in turn.
    session_id = str(replies[0].assignment.proposal.session_id)
    peaks: dict[str, list[float]] = {"subset": [], "full_fonts": []}
    for _ in range(2):
        for mode in peaks:
            peaks[mode].append(batch_worker(tmp, session_id, mode))

    # naive: one HTML document holding every letter (each starting a page), WeasyPrint as it ships.
    articles = []
    for r in replies:
        page_html = re.sub(r"<(link|script)[^>]*>(</script>)?", "", documents.reply_letter_preview(r))
        articles.append(page_html[page_html.index("<article") : page_html.index("</article>") + 10])
    one = html[: html.index("<article")] + "".join(articles) + "</body></html>"
    batch_css = letter_css + ".letter { break-before: page; }"
    started, cpu_started = time.perf_counter(), time.process_time()
    with RssPeak() as naive_rss:
        font_config = FontConfiguration()
        naive_data = HTML(string=one, base_url=str(ROOT)).write_pdf(
            stylesheets=[CSS(string=batch_css, font_config=font_config)], font_config=font_config
        )
    naive_batch, naive_batch_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # ours again right after the naive document, so that both sides see the same load: the median
    # of the runs before and after.
    again = [timed(lambda: batch.build(replies, limit=10_000)) for _ in range(2)]
    ours_walls = sorted([ours_batch, *(w for w, _c in again)])
    ours_cpus = sorted([ours_batch_cpu, *(c for _w, c in again)])
    emit(
        figure="batch",
        letters=len(replies),
        pages=len(PdfReader(io.BytesIO(merged)).pages),
        chunk=batch.CHUNK,
        ours_s=round(ours_walls[1], 2),
        ours_runs_s=[round(w, 2) for w in ours_walls],
        cpu_ours_s=round(ours_cpus[1], 2),
        naive_weasyprint_s=round(naive_batch, 1),
        cpu_naive_weasyprint_s=round(naive_batch_cpu, 1),
        ratio=round(ours_walls[1] / naive_batch, 3),
        cpu_ratio=round(ours_cpus[1] / naive_batch_cpu, 3),
        target_ratio=0.1,
        ours_mb=round(len(merged) / 2**20, 2),
        naive_mb=round(len(naive_data) / 2**20, 1),
        target_mb=5,
        worker_peak_rss_mb=round(max(peaks["subset"]), 1),
        worker_peak_rss_full_fonts_mb=round(max(peaks["full_fonts"]), 1),
        ours_rss_growth_in_this_process_mb=round(ours_rss.peak - rss_before, 1),
        naive_peak_rss_mb=round(naive_rss.peak, 1),
        target_rss_mb=300,
    )


FIRST = """
import os, sys, time, django
sys.path.insert(0, '.')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')
django.setup()
from feedback.models import Feedback
from printing import documents
from replies.models import Reply

if sys.argv[2] == 'warm':
    documents.warm()  # what deploy/gunicorn.conf.py's post_worker_init does
if sys.argv[3] == 'form':
    feedback = Feedback.objects.select_related('reply__assignment__proposal', 'member').get(pk=int(sys.argv[1]))
    printable = lambda: documents.feedback_form(feedback)
else:
    reply = Reply.objects.select_related('assignment__unit', 'assignment__proposal').get(pk=int(sys.argv[1]))
    printable = lambda: documents.reply_letter(reply)
started = time.perf_counter()
printable().render()
print(time.perf_counter() - started)
"""


def first_letter(pk, mode, kind="letter"):
    """Seconds of the first letter (kind "form": signed feedback form) rendered in a new process
    ("warm": after the boot's warm-up)."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", FIRST, str(pk), mode, kind], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(result.stdout.split()[-1])


WORKER = """
import contextlib, os, sys, django
sys.path.insert(0, '.')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')
django.setup()
from django.core.management import call_command
from printing import letters

if sys.argv[3] == 'full_fonts':
    @contextlib.contextmanager
    def whole_fonts(replies):
        yield letters.render_with_starts
    letters.typesetter = whole_fonts

call_command('print_batch', '--session', sys.argv[1], '-o', sys.argv[2], '--limit', '10000')
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over fork and exec)
print(next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM')))
"""


def batch_worker(tmp, session_id, mode):
    """Peak RSS (MB) of a process of its own building the session's batch with `manage.py print_batch`.

    mode "full_fonts": the letters typeset on the warm compiler with the whole font files and no
    release of Typst's memo cache between chunks (how batches were built before)."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", WORKER, session_id, f"{tmp}/batch-{mode}.pdf", mode],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.split()[-1]) / 1024


def make_letters(reply, count):
    """`count` issued letters like the seed's, each with its own title and a varied last paragraph."""
    from printing import batch
    from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Proposal, Session
    from replies import body
    from replies.models import Reply

    source = reply.assignment.proposal
    session = Session.objects.create(
        body=source.session.body,
        name="基准测试会次",
        year=2021,
        opens_on=source.session.opens_on,
        closes_on=source.session.closes_on,
    )
    paragraphs = body.paragraphs_of(reply)
    for serial in range(1, count + 1):
        proposal = Proposal.objects.create(
            kind=source.kind,
            session=session,
            serial=serial,
            number=f"基准〔2021〕{serial}号",
            title=f"{source.title}（{serial}）",
            lead=source.lead,
            submitted_on=source.submitted_on,
        )
        assignment = Assignment.objects.create(
            proposal=proposal,
            unit=reply.assignment.unit,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.REPLIED,
            assigned_on=reply.assignment.assigned_on,
            due_on=reply.assignment.due_on,
        )
        varied = [dict(p) for p in paragraphs]
        varied[-1]["text"] += f"（第{serial}份）"
        Reply.objects.create(
            assignment=assignment,
            title=f"{reply.title}（{serial}）",
            addressees=reply.addressees,
            body=body.plain_text(varied),
            body_paragraphs=varied,
            result_class=reply.result_class,
            written_on=reply.written_on,
            closing_name=reply.closing_name,
            contact_person=reply.contact_person,
            contact_phone=reply.contact_phone,
            doc_number=f"黄经信函〔2021〕{serial}号",
            status=reply.status,
            issued_at=reply.issued_at,
        )
    return list(batch.replies_for(session=session))


if __name__ == "__main__":
    main()
