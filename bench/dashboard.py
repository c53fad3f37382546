"""Server time of the supervision pages on a database loaded with `load_demo --volume 100000`.

    BANLI_SQLITE_PATH=/tmp/vol.sqlite3 python manage.py migrate && ... load_demo --volume 100000
    BANLI_SQLITE_PATH=/tmp/vol.sqlite3 python bench/dashboard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banli_vol python bench/dashboard.py

Prints, per page, the median and p95 of N requests (Django test client, in process: the
server's time without the network) and the number of queries one request makes. The
dashboard is measured cold (figures cache off: every request computes everything) and warm
(BANLI_DASHBOARD_CACHE_SECONDS > 0, the figures reused within the minute).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from proposals.models import Assignment, Body, HandlingUnit, Proposal  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def main():
    settings.ALLOWED_HOSTS = ["*"]
    proposals = Proposal.objects.count()
    if proposals < 10_000:
        sys.exit(f"Only {proposals} proposals: load the volume data first (load_demo --volume 100000).")
    unit = HandlingUnit.objects.get(short_name="市经信局")
    pages = [
        ("dashboard", "/dashboard/"),
        ("dashboard, 政协 only", f"/dashboard/?body={Body.CPPCC}"),
        ("dashboard, one unit", f"/dashboard/?unit={unit.pk}"),
        ("overdue list", "/dashboard/list/overdue/"),
        ("due-soon list", "/dashboard/list/due_soon/"),
        ("filtered list (unit, 政协)", f"/dashboard/list/all/?unit={unit.pk}&body={Body.CPPCC}"),
        ("search 养老 (2 chars)", "/search/?q=养老"),
        ("search 养老服务", "/search/?q=养老服务"),
        ("search a number", "/search/?q=〔2026〕4221号"),
        ("public list", "/public/"),
    ]
    settings.BANLI_DASHBOARD_CACHE_SECONDS = 0
    client = Client()
    # force_login: login speed is not measured here.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="supervisor"))
    print(
        f"{connection.vendor}: {proposals} proposals, {Assignment.objects.count()} assignments; "
        f"{RUNS} requests per page as the supervisor"
    )
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages:
        measure(client, name, url)
    settings.BANLI_DASHBOARD_CACHE_SECONDS = 60
    measure(client, "dashboard, cached figures", "/dashboard/")
    measure(client, "dashboard 政协, cached", f"/dashboard/?body={Body.CPPCC}")


def measure(client, name, url):
    client.get(url)  # warm up
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{name:<28} {statistics.median(times):>8.0f} {p95:>8.0f} {len(queries):>8}")


if __name__ == "__main__":
    main()
