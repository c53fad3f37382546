"""Server time of the busy lists on 100,000 proposals, on SQLite and on PostgreSQL.

    .venv/bin/python bench/lists.py                  # build both databases, then measure
    .venv/bin/python bench/lists.py --reuse          # measure the databases a previous run left
    .venv/bin/python bench/lists.py --only sqlite    # or --only postgresql
    .venv/bin/python bench/lists.py --reuse --pages dashboard --pages scoring   # only these pages

SQLite: a file in the temporary directory (BANLI_BENCH_SQLITE, default /tmp/banli_bench.sqlite3).
PostgreSQL: the database `banli_bench` (or BANLI_BENCH_DB) on the server of DATABASE_URL (never the test
databases);
skipped when DATABASE_URL is not set. Building runs `migrate`, `load_demo` and
`load_demo --volume 100000` (a few minutes each); --reuse keeps a database that already has
the volume data and only migrates it.

Each backend is measured in a child process (settings read the database from the environment),
with Django's test client in process: the time is the server's, without the network. Per page:
p50 and p95 of BENCH_RUNS requests (15 by default, after one warm-up), in wall time and in the
process's CPU time, and the number of queries of one request. The dashboard's figures cache is off, so every request computes everything.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
VOLUME = 100_000
BENCH_DB = os.environ.get("BANLI_BENCH_DB", "banli_bench")


def _env_for(backend):
    env = dict(os.environ)
    env.setdefault("BANLI_SECOND_FACTOR", "0")  # staff signed in by force_login have no second factor
    if backend == "sqlite":
        env.pop("DATABASE_URL", None)
        env["BANLI_SQLITE_PATH"] = os.environ.get(
            "BANLI_BENCH_SQLITE", str(Path(tempfile.gettempdir()) / "banli_bench.sqlite3")
        )
    else:
        parts = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + BENCH_DB))
    return env


def _manage(env, *args, quiet=True):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=quiet)


def _proposal_count(env):
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", "from proposals.models import Proposal; print(Proposal.objects.count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.split()[-1]) if out.returncode == 0 and out.stdout.split() else 0


def prepare(backend, reuse):
    """A database with the demo data and 100,000 more proposals (built unless --reuse finds one)."""
    env = _env_for(backend)
    if reuse:
        if backend == "postgresql":
            subprocess.run([PY, "scripts/ensure_database.py"], cwd=ROOT, env=env, check=True, capture_output=True)
        _manage(env, "migrate", "-v0")
        if _proposal_count(env) >= VOLUME:
            return env
        print(f"{backend}: no volume data to reuse, building it")
    if backend == "sqlite":
        Path(env["BANLI_SQLITE_PATH"]).unlink(missing_ok=True)
    else:
        subprocess.run([PY, "scripts/ensure_database.py"], cwd=ROOT, env=env, check=True, capture_output=True)
        _manage(env, "flush", "--noinput")
    started = time.perf_counter()
    _manage(env, "migrate", "-v0")
    _manage(env, "load_demo")
    _manage(env, "load_demo", "--volume", str(VOLUME))
    print(f"{backend}: built the {VOLUME} proposals in {time.perf_counter() - started:.0f} s")
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse databases that already hold the volume data")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--pages", action="append", default=[], help="measure only the pages whose name contains this (repeatable)"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        return measure_all(args.pages)
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    if "postgresql" in backends and not os.environ.get("DATABASE_URL"):
        print("postgresql: skipped (set DATABASE_URL to a server; the database banli_bench is used)")
        backends.remove("postgresql")
    for backend in backends:
        env = prepare(backend, args.reuse)
        pages = [arg for name in args.pages for arg in ("--pages", name)]
        subprocess.run([PY, __file__, "--measure", *pages], cwd=ROOT, env=env, check=True)
        print()


# --- the child process: measure one database -------------------------------------------------


def measure_all(only=()):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from proposals.models import Assignment, Body, HandlingUnit, Proposal

    settings.ALLOWED_HOSTS = ["*"]
    settings.BANLI_DASHBOARD_CACHE_SECONDS = 0
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    unit = HandlingUnit.objects.get(short_name="市经信局")

    def client_for(username):
        # force_login: login speed is not measured here.
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    clerk, office, supervisor = client_for("clerk"), client_for("office"), client_for("supervisor")
    pages = [
        ("clerk inbox", clerk, "/"),
        ("clerk inbox, overdue filter", clerk, "/?deadline=overdue"),
        ("office inbox", office, "/"),
        ("office inbox, page 40", office, "/?page=40"),
        ("filtered inbox (office)", office, f"/?unit={unit.pk}&state=handling&role=lead"),
        ("filtered list (supervisor)", supervisor, f"/dashboard/list/all/?unit={unit.pk}&body={Body.CPPCC}"),
        ("dashboard (cache off)", supervisor, "/dashboard/"),
        ("dashboard, CPPCC (cache off)", supervisor, f"/dashboard/?body={Body.CPPCC}"),
        ("dashboard, one unit", supervisor, f"/dashboard/?unit={unit.pk}"),
        ("dashboard as office", office, "/dashboard/"),
        ("overdue list", supervisor, "/dashboard/list/overdue/"),
        ("overdue list, page 50", supervisor, "/dashboard/list/overdue/?page=50"),
        ("overdue list as office", office, "/dashboard/list/overdue/"),
        ("unit scoring table", supervisor, "/scoring/"),
        ("unit scoring table as office", office, "/scoring/"),
        ("commitments list", supervisor, "/commitments/"),
        ("commitments list as office", office, "/commitments/"),
        ("search, 4 characters", supervisor, "/search/?q=养老服务"),
        ("search, 2 characters", supervisor, "/search/?q=养老"),
        ("search as clerk", clerk, "/search/?q=养老服务"),
    ]
    if only:
        pages = [page for page in pages if any(name in page[0] for name in only)]
    if connection.vendor == "postgresql":
        # The tables as autovacuum leaves them: planner statistics, and the visibility map that
        # lets a count be read from an index alone (a migration that just rewrote a column, or a
        # database with autovacuum off, would otherwise be measured without them).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{connection.vendor}: {Proposal.objects.count()} proposals, {Assignment.objects.count()} assignments; "
        f"{runs} requests per page, figures cache off; load average {os.getloadavg()[0]:.1f}"
    )
    # Wall time counts whatever else the machine runs; CPU time is this process's (on SQLite the
    # database runs in it, on PostgreSQL the server's share is in the wall time only).
    print(f"{'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'queries':>8}")
    for name, client, url in pages:
        p50, p95, cpu50, cpu95, queries = timed(client, url, runs, connection)
        print(f"{name:<30} {p50:>8.0f} {p95:>8.0f} {cpu50:>8.0f} {cpu95:>8.0f} {queries:>8}")


def timed(client, url, runs, connection):
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times, cpu = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)

    def p95(values):
        values = sorted(values)
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]

    return statistics.median(times), p95(times), statistics.median(cpu), p95(cpu), len(queries)


if __name__ == "__main__":
    main()
