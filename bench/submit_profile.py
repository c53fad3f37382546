"""The member's submit path in one process, without the network: time per form page and per
submission, and where the time goes (cProfile). For finding work done per request.

    python bench/submit_profile.py              # 40 submissions on a temporary SQLite demo copy
    python bench/submit_profile.py --profile 25 # and the 25 costliest functions (own time)
    python bench/submit_profile.py --tasks database  # as deployed: the e-mails left to the task worker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banli python bench/submit_profile.py
        # on PostgreSQL (the database <name>_submit beside it, rebuilt): also the CPU the
        # database server's process spent on each request, and the queries sent

Builds the copy (migrate, load_demo, bench/load_data.py for one member), then, as that member
logged in, GETs /me/replies/<pk>/feedback/ and POSTs the answers with the signature bench/load.py
sends (a 700x300 drawn PNG), one reply after another. Run it twice, interleaved, to compare.
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from request_cost import pg_database  # bench/: (re)creates the run's PostgreSQL database

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--profile", type=int, default=0, help="print this many functions by own time")
    parser.add_argument("--sort", default="tottime", help="how --profile orders them: tottime (own time) or cumulative")
    parser.add_argument(
        "--tasks",
        choices=["immediate", "database"],
        default="immediate",
        help="BANLI_TASKS_BACKEND: immediate (the embedded default: the e-mails after a form are sent in "
        "the request) or database (as deployed: queued for the task worker, which is not timed here)",
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="banli-submit-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_") and k != "DATABASE_URL"}
    env.update(BANLI_MEDIA_ROOT=str(scratch / "media"), BANLI_TASKS_BACKEND=args.tasks)
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        env["DATABASE_URL"] = f"{database_url}_submit"
        pg_database(env["DATABASE_URL"])
    else:
        env["BANLI_SQLITE_PATH"] = str(scratch / "db.sqlite3")
    for argv in (["manage.py", "migrate", "-v0"], ["manage.py", "load_demo"]):
        subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, check=True, capture_output=True)
    world = json.loads(
        subprocess.run(
            [sys.executable, "bench/load_data.py", "--members", "1", "--replies-each", str(args.submissions + 5)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    sys.path.insert(0, str(ROOT / "bench"))
    from feedback_answers import form_body

    account = world["form_members"][0]
    client = Client()
    client.force_login(get_user_model().objects.get(username=account["username"]))
    replies = list(account["replies"])

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    counting = connection.execute_wrapper(count)
    counting.__enter__()  # for the whole run (kept: a dropped context manager would undo it)
    server = None
    if connection.vendor == "postgresql":
        import psutil

        # The client keeps one connection (CONN_MAX_AGE), so one server process serves every request.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            server = psutil.Process(cursor.fetchone()[0])

    def server_cpu():
        if server is None:
            return 0.0
        times = server.cpu_times()
        return times.user + times.system

    def submit():
        pk = replies.pop()
        cpu_started, server_started, queries_started = time.process_time(), server_cpu(), queries[0]
        started = time.perf_counter()
        page = client.get(f"/me/replies/{pk}/feedback/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        body = form_body(token)  # the client's work, before the clock starts
        middle, cpu_middle, server_middle, queries_middle = (
            time.perf_counter(),
            time.process_time(),
            server_cpu(),
            queries[0],
        )
        response = client.post(f"/me/replies/{pk}/feedback/", body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302, response.status_code
        return (
            (middle - started) * 1000,
            (time.perf_counter() - middle) * 1000,
            (cpu_middle - cpu_started) * 1000,
            (time.process_time() - cpu_middle) * 1000,
            (server_middle - server_started) * 1000,
            (server_cpu() - server_middle) * 1000,
            queries_middle - queries_started,
            queries[0] - queries_middle,
        )

    for _ in range(3):
        submit()  # warm caches (templates, fonts are not involved)
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    if profiler:
        profiler.enable()
    times = [submit() for _ in range(args.submissions - 3)]
    if profiler:
        profiler.disable()
    pages, posts, page_cpu, post_cpu, page_server, post_server, page_queries, post_queries = zip(*times, strict=True)
    # CPU time is what to compare on a busy machine: wall time includes waiting for a core.
    # The database server's CPU is sampled by the kernel's clock tick: read it as a mean.
    database = (
        f", PostgreSQL {statistics.mean(page_server):.1f} ms CPU" if server else "",
        f", PostgreSQL {statistics.mean(post_server):.1f} ms CPU" if server else "",
    )
    print(
        f"form page: median {statistics.median(page_cpu):.1f} ms CPU ({statistics.median(pages):.1f} ms wall)"
        f"{database[0]}, {statistics.median(page_queries):.0f} queries; "
        f"submission: median {statistics.median(post_cpu):.1f} ms CPU ({statistics.median(posts):.1f} ms wall)"
        f"{database[1]}, {statistics.median(post_queries):.0f} queries; "
        f"{len(times)} each{', under cProfile' if profiler else ''}; load average {os.getloadavg()[0]:.1f}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
