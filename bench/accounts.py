"""What signing in costs: the accounts middlewares on every request, and the throttle's look-up of
the login log as it grows.

    .venv/bin/python bench/accounts.py                 # SQLite (a temporary demo database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/accounts.py --postgres

Builds a fresh demo database (`migrate`, `load_demo`; PostgreSQL: the database `banli_bench_accounts`
beside the one in DATABASE_URL), then in one process with Django's test client:

- a member's portal page (/me/) and a clerk's inbox (/) with the accounts middlewares (session
  row, idle and absolute limits, second factor, link limits) and without them, requests
  alternating, BENCH_RUNS each: median CPU time per request and the ratio;
- `throttle.check()` for one username and address with an empty login log and with 100,000
  failures of other names and addresses in it: median CPU time and queries.

CPU time of this process (time.process_time), so the figures survive a busy machine.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
ACCOUNTS_MIDDLEWARE = (
    "accounts.sessions.SessionMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "accounts.limits.LinkLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
)


def cpu_ms(fn, runs):
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def measure():
    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at")
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.client import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts import throttle
    from accounts.models import LoginEvent, LoginEventKind
    from proposals.models import Member, Role, RoleKind

    member = Member.objects.filter(user__isnull=False).select_related("user").first().user
    clerk = Role.objects.filter(kind=RoleKind.CLERK).select_related("user").first().user
    without = [m for m in settings.MIDDLEWARE if m not in ACCOUNTS_MIDDLEWARE]

    print(f"{connection.vendor}: median CPU ms per request over {RUNS} requests")
    for label, user, url in (("member /me/", member, "/me/"), ("clerk inbox /", clerk, "/")):
        # The test client builds its middleware chain at its first request and keeps it: one
        # client with the accounts middlewares, one built without them; requests alternate.
        with_client = Client()
        with_client.force_login(user)
        with_client.get(url)
        with override_settings(MIDDLEWARE=without):
            without_client = Client()
            without_client.force_login(user)
            without_client.get(url)
        samples = {"with": [], "without": []}
        for _ in range(RUNS):
            for name, client in (("with", with_client), ("without", without_client)):
                start = time.process_time()
                client.get(url)
                samples[name].append((time.process_time() - start) * 1000)
        with_ms, without_ms = statistics.median(samples["with"]), statistics.median(samples["without"])
        print(f"  {label:16} with accounts {with_ms:6.2f}  without {without_ms:6.2f}  ratio {with_ms / without_ms:.3f}")

    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.10")
    LoginEvent.objects.all().delete()

    def check():
        throttle.check(request, "clerk")

    empty = cpu_ms(check, RUNS)
    with CaptureQueriesContext(connection) as queries:
        check()
    now = timezone.now()
    LoginEvent.objects.bulk_create(
        LoginEvent(
            kind=LoginEventKind.FAILURE,
            username=f"user{i % 5000}",
            ip=f"10.{i % 250}.{(i // 250) % 250}.1",
            at=now - timezone.timedelta(seconds=i % 3600),
        )
        for i in range(100_000)
    )
    full = cpu_ms(check, RUNS)
    print(f"  throttle.check  empty log {empty:6.2f}  100,000 failures {full:6.2f}  ratio {full / empty:.3f}")
    print(f"  throttle.check  queries {len(queries)}")
    LoginEvent.objects.all().delete()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        measure()
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    scratch = tempfile.TemporaryDirectory(prefix="banli-bench-accounts-")
    if args.postgres:
        parts = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/banli_bench_accounts"))
        subprocess.run([sys.executable, "scripts/ensure_database.py"], cwd=ROOT, env=env, check=True)
    else:
        env.pop("DATABASE_URL", None)
        env["BANLI_SQLITE_PATH"] = str(Path(scratch.name) / "bench.sqlite3")
    env["BANLI_MEDIA_ROOT"] = str(Path(scratch.name) / "media")
    env["BANLI_SECOND_FACTOR"] = "0"  # the middleware still runs; staff need no device to be measured
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, __file__, "--child"], cwd=ROOT, env=env, check=True)
    scratch.cleanup()


if __name__ == "__main__":
    main()
