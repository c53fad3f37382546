"""PDF benchmark: prints one JSON line per figure.

    .venv/bin/python bench/pdf.py [--renders 100] [--letters 200] [--workers 2] [--runs 7]
    .venv/bin/python bench/pdf.py --profile 20     # where a warm render spends its time

Builds the demo data in a throw-away SQLite file and media folder, then measures on the
seed 000 letter (委员提案〔2021〕110号) and its feedback form:
- render: median warm render with printing.pdf (one FontConfiguration, stylesheet parsed
  once, safe fetcher, fonts subset once by printing.fontpack) vs naive WeasyPrint in the
  same run (new FontConfiguration and CSS each time, default fetcher, WeasyPrint's own font
  subsetting), runs interleaved; cold = the first render in the process. Also ours with
  fontpack's subset cache emptied before each render (what a letter whose text changed
  costs) and ours without font compaction (WeasyPrint's subsetting, our shared config);
- cached: median download of the stored PDF through the view (ETag) vs a render;
- memory: RSS growth over N renders;
- batch: N new letters (nothing stored yet) merged into one PDF with printing.batch (a pool
  of --workers processes) vs a naive single-process loop (new FontConfiguration and CSS
  per letter, then pypdf), run naive half / ours / naive other half so that a change of
  machine load weighs on both sides alike; then the same batch again, all stored.

Worker peak RSS counts the pages a forked worker shares with this process (it starts as a
copy of it), so it is an upper bound of what a worker adds.

Every figure gives wall seconds and CPU seconds (this process plus its finished children):
on a shared machine the wall ratio moves with the load, the CPU ratio much less. Each line
carries the load average when it was measured.
"""

import argparse
import io
import json
import os
import resource
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


def peak_mb(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def emit(**figures):
    figures["load"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, ensure_ascii=False), flush=True)


class RssPeak:
    """Highest VmRSS of this process while the block runs (sampled every 50 ms)."""

    def __enter__(self):
        import threading

        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def cpu_s():
    """CPU seconds of this process and of its children that have finished."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed(fn):
    """(wall s, CPU s) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=100, help="renders for the memory figure")
    parser.add_argument("--runs", type=int, default=7, help="runs per median")
    parser.add_argument("--letters", type=int, default=200, help="letters in the batch figure")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile N warm renders (pyinstrument, on stderr) and stop"
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="banli-bench-")
    os.environ["BANLI_SQLITE_PATH"] = f"{tmp}/bench.sqlite3"
    os.environ["BANLI_MEDIA_ROOT"] = f"{tmp}/media"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from feedback.models import Feedback
    from printing import batch, documents, fontpack, pdf
    from replies.models import Reply

    reply = Reply.objects.select_related("assignment__unit", "assignment__proposal").get(
        assignment__proposal__number__contains="〔2021〕110号"
    )
    form = Feedback.objects.get(reply=reply)

    from pypdf import PdfReader

    # --- cold and warm render -----------------------------------------------------------
    letter = documents.reply_letter(reply)
    started = time.perf_counter()
    data = letter.render()
    cold = time.perf_counter() - started
    warm = median_time(letter.render, args.runs)
    emit(
        figure="letter_render",
        cold_s=round(cold, 3),
        warm_median_s=round(warm, 3),
        pages=len(PdfReader(io.BytesIO(data)).pages),
        pdf_kb=round(len(data) / 1024, 1),
    )
    emit(figure="letter_size", pdf_kb=round(len(data) / 1024, 1), target_kb=300)

    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.profile):
                fontpack.cache.clear()
                letter.render()
        print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
        return

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    css_text = pdf.read_static(documents.LETTER_CSS)[0].decode()

    def render_uncompacted():
        with override_settings(BANLI_PDF_COMPACT_FONTS=False):
            return letter.render()

    def render_cold_subset_cache():
        fontpack.cache.clear()
        return letter.render()

    def naive():
        font_config = FontConfiguration()
        HTML(string=letter.html, base_url=str(ROOT)).write_pdf(
            stylesheets=[CSS(string=css_text, font_config=font_config)], font_config=font_config
        )

    # Interleave the runs so both sides see the same machine load.
    sides = {
        "ours": letter.render,
        "naive": naive,
        "ours_cold_subset_cache": render_cold_subset_cache,
        "ours_without_font_compaction": render_uncompacted,
    }
    walls = {name: [] for name in sides}
    cpus = {name: [] for name in sides}
    for _ in range(args.runs):
        for name, fn in sides.items():
            wall, cpu = timed(fn)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall = {name: statistics.median(times) for name, times in walls.items()}
    cpu = {name: statistics.median(times) for name, times in cpus.items()}
    warm, naive_warm = wall["ours"], wall["naive"]
    emit(
        figure="letter_vs_naive",
        runs=args.runs,
        ours_s=round(warm, 3),
        naive_s=round(naive_warm, 3),
        ratio=round(warm / naive_warm, 2),
        target_ratio=0.5,
        cpu_ours_s=round(cpu["ours"], 3),
        cpu_naive_s=round(cpu["naive"], 3),
        cpu_ratio=round(cpu["ours"] / cpu["naive"], 2),
        ours_cold_subset_cache_s=round(wall["ours_cold_subset_cache"], 3),
        ours_cold_subset_cache_ratio=round(wall["ours_cold_subset_cache"] / naive_warm, 2),
        cpu_ours_cold_subset_cache_ratio=round(cpu["ours_cold_subset_cache"] / cpu["naive"], 2),
        ours_without_font_compaction_s=round(wall["ours_without_font_compaction"], 3),
        ours_without_font_compaction_ratio=round(wall["ours_without_font_compaction"] / naive_warm, 2),
    )

    form_doc = documents.feedback_form(form)
    started = time.perf_counter()
    form_doc.render()
    form_cold = time.perf_counter() - started
    emit(
        figure="form_render",
        cold_s=round(form_cold, 3),
        warm_median_s=round(median_time(form_doc.render, args.runs), 3),
    )

    # --- cached download through the view -------------------------------------------------
    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    for name, url in (
        ("letter", reverse("printing:reply_pdf", args=[reply.pk])),
        ("form", reverse("printing:feedback_pdf", args=[form.pk])),
    ):
        started = time.perf_counter()
        b"".join(client.get(url).streaming_content)
        first = time.perf_counter() - started
        downloads = [timed(lambda url=url: b"".join(client.get(url).streaming_content)) for _ in range(args.runs * 3)]
        cached = statistics.median(wall for wall, _cpu in downloads)
        cached_cpu = statistics.median(cpu for _wall, cpu in downloads)
        etag = client.get(url)["ETag"]
        not_modified = median_time(
            lambda url=url, etag=etag: client.get(url, headers={"If-None-Match": etag}), args.runs
        )
        emit(
            figure=f"{name}_download",
            first_s=round(first, 3),
            cached_median_s=round(cached, 4),
            not_modified_median_s=round(not_modified, 4),
            cached_vs_render=round(cached / warm, 3),
            cpu_cached_s=round(cached_cpu, 4),
            cpu_cached_vs_render=round(cached_cpu / cpu["ours"], 3),
            target=0.05,
        )

    # --- memory over many renders ------------------------------------------------------------
    before = rss_mb()
    for _ in range(args.renders):
        letter.render()
    emit(
        figure="rss_growth",
        renders=args.renders,
        before_mb=round(before, 1),
        after_mb=round(rss_mb(), 1),
        growth_mb=round(rss_mb() - before, 1),
        target_mb=50,
    )

    # --- batch ---------------------------------------------------------------------------------
    from proposals.models import Assignment, AssignmentRole, AssignmentStatus, Proposal, Session

    session = Session.objects.create(
        body=reply.assignment.proposal.session.body,
        name="基准测试会次",
        year=2021,
        opens_on=reply.assignment.proposal.session.opens_on,
        closes_on=reply.assignment.proposal.session.closes_on,
    )
    source = reply.assignment.proposal
    for serial in range(1, args.letters + 1):
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
        Reply.objects.create(
            assignment=assignment,
            title=f"{reply.title}（{serial}）",
            addressees=reply.addressees,
            body=reply.body,
            result_class=reply.result_class,
            written_on=reply.written_on,
            closing_name=reply.closing_name,
            contact_person=reply.contact_person,
            contact_phone=reply.contact_phone,
            status=reply.status,
            issued_at=reply.issued_at,
        )
    replies = list(batch.replies_for(session=session))
    jobs = batch.jobs_for(replies)

    # naive: one process, new FontConfiguration and CSS per letter, then merge with pypdf.
    from pypdf import PdfWriter

    naive_writer = PdfWriter()

    def naive_loop(part):
        for r in part:
            html = documents.reply_letter(r).html
            font_config = FontConfiguration()
            one = HTML(string=html, base_url=str(ROOT)).write_pdf(
                stylesheets=[CSS(string=css_text, font_config=font_config)], font_config=font_config
            )
            naive_writer.append(io.BytesIO(one))

    half = len(replies) // 2
    started, cpu_started = time.perf_counter(), cpu_s()
    with RssPeak() as naive_rss:
        naive_loop(replies[:half])
    naive_wall, naive_cpu = time.perf_counter() - started, cpu_s() - cpu_started

    # The pool starts after the naive half: a thread here would make printing.batch spawn
    # its workers instead of forking them, so RSS is read before and after, not sampled.
    rss_before = rss_mb()
    started, cpu_started = time.perf_counter(), cpu_s()
    merged = batch.build(jobs, limit=10_000, workers=args.workers)
    ours_batch, ours_cpu = time.perf_counter() - started, cpu_s() - cpu_started
    rss_after = rss_mb()

    started, cpu_started = time.perf_counter(), cpu_s()
    with RssPeak() as naive_rss_2:
        naive_loop(replies[half:])
        naive_writer.write(io.BytesIO())
    naive_wall += time.perf_counter() - started
    naive_cpu += cpu_s() - cpu_started
    emit(
        figure="batch",
        letters=len(jobs),
        stored_before=0,
        workers=args.workers,
        ours_s=round(ours_batch, 1),
        naive_s=round(naive_wall, 1),
        ratio=round(ours_batch / naive_wall, 2),
        target_ratio=0.5,
        cpu_ours_s=round(ours_cpu, 1),
        cpu_naive_s=round(naive_cpu, 1),
        cpu_ratio=round(ours_cpu / naive_cpu, 2),
        merged_mb=round(len(merged) / 2**20, 1),
        pages=len(PdfReader(io.BytesIO(merged)).pages),
        rss_parent_before_mb=round(rss_before, 1),
        rss_parent_after_mb=round(rss_after, 1),
        peak_rss_worker_mb=round(peak_mb(resource.RUSAGE_CHILDREN), 1),
        naive_peak_rss_mb=round(max(naive_rss.peak, naive_rss_2.peak), 1),
    )
    started = time.perf_counter()
    batch.build(jobs, limit=10_000, workers=args.workers)
    emit(
        figure="batch_cached",
        letters=len(jobs),
        stored_before=len(jobs),
        seconds=round(time.perf_counter() - started, 1),
        vs_first_build=round((time.perf_counter() - started) / ours_batch, 3),
    )


if __name__ == "__main__":
    main()
