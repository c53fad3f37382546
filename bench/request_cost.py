"""What a signed-in request costs the server before and beside its own work: queries and CPU time
per request for a few pages, in one process through the test client (no network, no queueing).

    python bench/request_cost.py                      # a temporary SQLite demo copy
    python bench/request_cost.py --keep /tmp/cost     # build it there once, reuse it next time
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banli BANLI_REDIS_URL=redis://127.0.0.1:6379/3 \
        python bench/request_cost.py                  # PostgreSQL (database <name>_cost) and Redis
    python bench/request_cost.py --profile 30         # and the 30 costliest functions (own time)
    python bench/request_cost.py --queries            # and the SQL of each page once
    python bench/request_cost.py --profile 30 --only submission --callees publish_if_agreed
                                                      # and what the matching functions spend on

Pages: a supervisor's notifications page (a small page: mostly the fixed cost of every signed-in
page), a member's feedback form and its submission, signed in and by a one-time link (opening
the link, the form, the submission), a reply letter PDF as a supervisor prints
it (stored after its first render), and the form just submitted as a supervisor first prints it
(rendered by WeasyPrint, then stored). Each line gives the queries of one request and the median
CPU time over --rounds requests, taken in turns. Compare two versions by running each in turn on
the same copy; CPU time, not wall time, on a busy machine.
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PG_DATABASE = """
import sys, psycopg
from psycopg import sql
server, name, template, create = sys.argv[1:5]
with psycopg.connect(server + "/postgres", autocommit=True) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    if create and template:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    elif create:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
"""


def pg_database(url, template="", *, create=True):
    """(Re)create the database of `url`, empty or as a copy of `template`; or drop it (create=False)."""
    server, _sep, name = url.rpartition("/")
    subprocess.run([sys.executable, "-c", PG_DATABASE, server, name, template, "1" if create else ""], check=True)


def build(env, scratch, rounds):
    if env.get("DATABASE_URL"):
        pg_database(env["DATABASE_URL"])
    for argv in (["manage.py", "migrate", "-v0"], ["manage.py", "load_demo"]):
        subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, check=True, capture_output=True)
    data = subprocess.run(
        # Two members: the first fills the form signed in, the second opens one-time links.
        [sys.executable, "bench/load_data.py", "--members", "2", "--replies-each", str(rounds + 10)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[-1]
    (scratch / "world.json").write_text(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--keep", help="folder of the built copy, kept and reused (PostgreSQL: <name>_cost_built)")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions by own time")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime or cumulative")
    parser.add_argument("--only", help="profile only the pages whose name contains this")
    parser.add_argument("--queries", action="store_true", help="print the SQL of each page once")
    parser.add_argument("--callees", help="with --profile: also what the functions matching this spend on")
    args = parser.parse_args()
    scratch = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="banli-cost-"))
    scratch.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", "").rstrip("/")
    engine = "postgresql" if database_url else "sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    env.update(
        BANLI_SQLITE_PATH=str(scratch / "pristine.sqlite3"),
        BANLI_MEDIA_ROOT=str(scratch / f"pristine-media-{engine}"),
        BANLI_SECOND_FACTOR=os.environ.get("BANLI_SECOND_FACTOR", "0"),  # off as in the load test
        # The e-mails and texts a submission sends, kept in memory (not printed).
        BANLI_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        BANLI_SMS_BACKEND="notifications.sms.LocmemBackend",
    )
    if os.environ.get("BANLI_REDIS_URL"):
        env["BANLI_REDIS_URL"] = os.environ["BANLI_REDIS_URL"]
    if database_url:
        env["DATABASE_URL"] = f"{database_url}_cost_built"
    kept = scratch / f"world-{engine}.json"
    if not kept.exists() or not json.loads(kept.read_text())["link_members"]:  # built before links were measured
        build(env, scratch, 2 * args.rounds)
        (scratch / "world.json").rename(scratch / f"world-{engine}.json")
    world = json.loads((scratch / f"world-{engine}.json").read_text())
    # Each run submits on a fresh copy of what was built.
    shutil.rmtree(scratch / "media", ignore_errors=True)
    if (scratch / f"pristine-media-{engine}").exists():
        shutil.copytree(scratch / f"pristine-media-{engine}", scratch / "media")
    for suffix in ("", "-wal", "-shm"):
        (scratch / f"db.sqlite3{suffix}").unlink(missing_ok=True)
        if (scratch / f"pristine.sqlite3{suffix}").exists():
            shutil.copyfile(scratch / f"pristine.sqlite3{suffix}", scratch / f"db.sqlite3{suffix}")
    env.update(BANLI_SQLITE_PATH=str(scratch / "db.sqlite3"), BANLI_MEDIA_ROOT=str(scratch / "media"))
    if database_url:
        env["DATABASE_URL"] = f"{database_url}_cost"
        pg_database(env["DATABASE_URL"], template=f"{database_url.rpartition('/')[2]}_cost_built")
    if env.get("BANLI_REDIS_URL"):
        import redis

        redis.Redis.from_url(env["BANLI_REDIS_URL"]).flushdb()
    # The copy may predate the newest migrations.
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    sys.path.insert(0, str(ROOT / "bench"))
    from feedback_answers import form_body

    User = get_user_model()
    supervisor, member = Client(), Client()
    supervisor.force_login(User.objects.get(username="supervisor"))
    account = world["form_members"][0]
    member.force_login(User.objects.get(username=account["username"]))
    replies = list(account["replies"])
    letters = world["print_replies"]
    state = {"form": None}
    tokens = list(world["link_members"][0]["tokens"])
    by_link = Client()

    def notifications():
        assert supervisor.get("/notifications/").status_code == 200

    def form_page():
        state["pk"] = replies.pop()
        page = member.get(f"/me/replies/{state['pk']}/feedback/")
        assert page.status_code == 200
        state["token"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    def submission():
        response = member.post(
            f"/me/replies/{state['pk']}/feedback/",
            form_body(state["token"]),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 302, response.status_code

    def link_opened():
        by_link.cookies.clear()  # each link in a browser of its own, as from an e-mail
        response = by_link.get(f"/f/{tokens.pop()}/")
        assert response.status_code == 302, response.status_code

    def link_form_page():
        page = by_link.get("/f/form/")
        assert page.status_code == 200
        state["link_token"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    def link_submission():
        response = by_link.post(
            "/f/form/", form_body(state["link_token"]), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 302, response.status_code

    def letter():
        response = supervisor.get(f"/replies/{letters[state.setdefault('letter', 0) % len(letters)]}/pdf/")
        state["letter"] += 1
        assert response.status_code == 200
        b"".join(response)

    def signed_form():
        from feedback.models import Feedback

        signed = Feedback.objects.filter(reply_id=state["pk"]).latest("pk")
        response = supervisor.get(f"/feedback/{signed.pk}/pdf/")
        assert response.status_code == 200
        b"".join(response)

    pages = {
        "notifications page (supervisor)": notifications,
        "feedback form page (member)": form_page,
        "feedback submission (member)": submission,
        "one-time link opened (member)": link_opened,
        "feedback form page, by link (member)": link_form_page,
        "feedback submission, by link (member)": link_submission,
        "reply letter PDF (supervisor)": letter,
        "signed form PDF, first print (supervisor)": signed_form,
    }
    for _ in range(len(letters) + 1):
        letter()  # every letter rendered and stored once: the load test prints stored letters
    for _ in range(3):
        for run in pages.values():
            run()
    queries = {}
    for name, run in pages.items():
        with CaptureQueriesContext(connection) as captured:
            run()
        queries[name] = [q["sql"] for q in captured.captured_queries]
    cpu = {name: [] for name in pages}
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    for _ in range(args.rounds):
        for name, run in pages.items():
            profiled = profiler is not None and (not args.only or args.only in name)
            if profiled:
                profiler.enable()
            started = time.process_time()
            run()
            cpu[name].append((time.process_time() - started) * 1000)
            if profiled:
                profiler.disable()
    engine = connection.vendor + (" + Redis" if os.environ.get("BANLI_REDIS_URL") else "")
    print(f"{engine}; {args.rounds} rounds{', under cProfile' if profiler else ''}; load {os.getloadavg()[0]:.1f}")
    for name in pages:
        print(f"  {name:42} {len(queries[name]):3d} queries  median {statistics.median(cpu[name]):6.2f} ms CPU")
        if args.queries:
            for sql in queries[name]:
                print(f"      {sql[:200]}")
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.profile)
        if args.callees:
            stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
