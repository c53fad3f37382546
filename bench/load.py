"""Load test: locust, headless, against gunicorn on 127.0.0.1, bounded in time.

    python bench/load.py                       # SQLite copy of the demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banli python bench/load.py
    python bench/load.py --seconds 60 --users 50 --workers 2 --volume 2000
    make load                                  # both databases

Steps: build a fresh copy of the demo database (`load_demo --volume N`; a temporary SQLite file,
or the PostgreSQL database `<name>_load` beside the one in DATABASE_URL, which is never touched;
with PostgreSQL, cache and sessions go to Redis as in production: `--redis`), start gunicorn with
deploy/gunicorn.conf.py (2 workers a CPU, 2 threads each) and BANLI_BENCH=1, and one task worker (`manage.py db_worker`,
tasks queued in the database as deploy/banli.env has it; its CPU counts as the server's),
then run each phase for `--seconds` and print requests, errors, p50/p95 per endpoint, and how
long the task worker took to finish what the phase queued (at a person's pace, also the CPU a form
cost the machine, with and without the e-mails still queued when the phase ended):

- `bare`: a bare Django page (config/bench_urls.py: a small template, no query), the ceiling;
- `browse`: supervisors browsing the proposal list and detail pages and the admin changelists;
- `feedback`: 50 members submitting the feedback form with a drawn signature (a PNG as the
  signature pad posts it) while 5 supervisors print reply letters and signed forms (PDF).
  Half the members are logged in (/me/replies/<pk>/feedback/), half open a one-time link
  (/f/<token>/ -> /f/form/); bench/load_data.py prepares their accounts, issued replies and
  links. Checked afterwards: stored feedback rows == successful submissions (0 lost).
- `paced`: the same 50 members and 5 supervisors at a person's pace: a member spends `--think`
  seconds (5 on average) on the form before submitting, a supervisor `--supervisor-think` seconds
  (2) on each PDF. Its latencies are what a member waits on a busy day; its rate is what they ask
  for. Each pause is drawn from think x (1 ± `--think-jitter`), 0.5 by default: all users start
  together, and with pauses of exactly 5 s they would stay in step, every member's submission
  arriving in the same instant every cycle, which no group of people does (`--think-jitter 0`
  shows that case).

Adding a scenario when a feature lands (feedback submission, PDF printing): write a locust user
class below, add a `Scenario` to SCENARIOS with its user count and, if it writes, a `check`
that compares what the database holds with the successful requests (e.g. stored feedback rows
== successful submissions), then name it in DEFAULT_PHASES or pass `--phase NAME`.

In every other phase users wait 0 s between requests (a closed loop): those figures are
capacity, not a day's traffic, and each answer's latency is mostly its wait in the queue.
The load generator shares the machine's cores with gunicorn, so the ceiling is conservative.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gevent
import psutil
from feedback_answers import form_body
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser
from request_cost import pg_database  # bench/: (re)creates or drops the run's PostgreSQL database

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "banli-demo"  # the demo users' password, printed by load_demo
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Filled in by prepare(): what the users browse. `logged_in` counts users past on_start.
WORLD = {"proposal_ids": [], "list_pages": 1, "logged_in": 0}
# The feedback scenario: bench/load_data.py's accounts, replies and links; what was submitted.
FEEDBACK = {"form_members": [], "link_members": [], "print_replies": [], "submitted": [], "ran_out": 0}
FEEDBACK_URL = re.compile(r"/feedback/(\d+)/$")


class BanliUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    username = ""

    def on_start(self):
        page = self.client.get("/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            catch_response=True,
            name="log in",
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {self.username} answered {response.status_code}")
                WORLD["logged_in"] += 1
                raise StopUser()  # one error, not one per request answered with the login page
        WORLD["logged_in"] += 1

    def page(self, url, name):
        """GET a page; anything but a 200 (a redirect to the login page included) is an error."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class BareViewer(FastHttpUser):
    wait_time = constant(0)

    @task
    def bare(self):
        self.client.get("/bench/bare/", name="bare page (ceiling)")


class SupervisorBrowsing(BanliUser):
    username = "supervisor"

    @task(4)
    def proposal_list(self):
        self.page(f"/?page={random.randint(1, WORLD['list_pages'])}", "proposal list")

    @task(4)
    def proposal_detail(self):
        self.page(f"/proposals/{random.choice(WORLD['proposal_ids'])}/", "proposal detail")

    @task(1)
    def admin_proposals(self):
        self.page("/admin/proposals/proposal/", "admin: proposals")

    @task(1)
    def admin_assignments(self):
        self.page("/admin/proposals/assignment/", "admin: assignments")

    @task(1)
    def admin_replies(self):
        self.page("/admin/replies/reply/", "admin: replies")

    @task(1)
    def admin_feedback(self):
        self.page("/admin/feedback/feedback/", "admin: feedback")


class FeedbackMember(FastHttpUser):
    """A member working through the replies waiting for their feedback, one form after another."""

    abstract = True
    wait_time = constant(0)
    think = 0  # seconds between the form page and the submission: the member filling it in
    jitter = 0.0  # each pause is think x (1 ± jitter), drawn anew (--think-jitter)

    def submit(self, form_url, page_name):
        """GET the form (its CSRF token), POST the answers and signature; a 302 to /feedback/<pk>/ is success."""
        with self.client.get(form_url, name=page_name, catch_response=True) as page:
            found = CSRF.search(page.text or "") if page.status_code == 200 else None
            if found is None:
                page.failure(f"form page answered {page.status_code}")
                return
        gevent.sleep(self.think * random.uniform(1 - self.jitter, 1 + self.jitter))
        with self.client.post(
            form_url,
            # Encoded already: FastHttpUser would write a list (the ticked methods) as its repr.
            data=form_body(found.group(1)),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
            name="submit feedback",
        ) as response:
            stored = FEEDBACK_URL.search(response.headers.get("Location", "")) if response.status_code == 302 else None
            if stored is None:
                response.failure(f"submit answered {response.status_code}")
                return
            FEEDBACK["submitted"].append(int(stored.group(1)))

    def out_of_work(self):
        FEEDBACK["ran_out"] += 1
        gevent.sleep(1)


class MemberLoggedIn(FeedbackMember, BanliUser):
    """Logs in with their account and fills the form from their reply page."""

    def on_start(self):
        account = FEEDBACK["form_members"].pop()
        self.username, self.replies = account["username"], account["replies"]
        super().on_start()

    @task
    def give_feedback(self):
        if not self.replies:
            return self.out_of_work()
        self.submit(f"/me/replies/{self.replies.pop()}/feedback/", "form page (logged in)")


class MemberWithLink(FeedbackMember):
    """Opens the one-time link from the e-mail (a short session, no account), then the form."""

    def on_start(self):
        self.tokens = FEEDBACK["link_members"].pop()["tokens"]

    @task
    def give_feedback(self):
        if not self.tokens:
            return self.out_of_work()
        with self.client.get(
            f"/f/{self.tokens.pop()}/", name="open one-time link", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"link answered {response.status_code}")
                return
        self.submit("/f/form/", "form page (link)")


class SupervisorPrinting(BanliUser):
    """Prints reply letters (a fixed set: renders once, then stored) and the forms members just signed."""

    username = "supervisor"

    def pdf(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or not (response.content or b"").startswith(b"%PDF"):
                response.failure(f"{response.status_code}, not a PDF")

    @task(1)
    def reply_letter(self):
        self.pdf(f"/replies/{random.choice(FEEDBACK['print_replies'])}/pdf/", "PDF: reply letter")

    @task(1)
    def signed_form(self):
        if FEEDBACK["submitted"]:
            self.pdf(f"/feedback/{random.choice(FEEDBACK['submitted'][-200:])}/pdf/", "PDF: signed form")
        else:
            self.reply_letter()


# The paced phase: the same people at a person's pace. A member takes --think seconds over the
# form (ticking four answers and drawing a signature takes a fast member that long; most take
# minutes), a supervisor looks at each PDF for --supervisor-think seconds before the next.
class PacedMemberLoggedIn(MemberLoggedIn):
    pass


class PacedMemberWithLink(MemberWithLink):
    pass


class PacedSupervisorPrinting(SupervisorPrinting):
    pass


def check_feedback(stats, query):
    """Every successful submission is one stored, submitted row; no other row appeared."""
    stored = query(
        "print(*Feedback.objects.submitted().filter(member__group='压测').values_list('pk', flat=True))"
    ).split()
    stored, confirmed = {int(pk) for pk in stored}, set(FEEDBACK["submitted"])
    print(f"  feedback: {len(confirmed)} successful submissions, {len(stored)} stored rows")
    problems = []
    if confirmed - stored:
        problems.append(f"{len(confirmed - stored)} confirmed submissions are not stored (lost)")
    if stored - confirmed:
        problems.append(f"{len(stored - confirmed)} stored rows were not confirmed to the member")
    if len(FEEDBACK["submitted"]) != len(confirmed):
        problems.append("a submission was confirmed twice with the same row")
    if FEEDBACK["ran_out"]:
        problems.append(f"members ran out of replies {FEEDBACK['ran_out']} times: prepare more (--replies-each)")
    return problems


@dataclass
class Scenario:
    users: dict  # user class -> how many of them
    description: str
    # For scenarios that write: check(stats, query) -> list of problems, where `stats` is locust's
    # RequestStats and `query(code)` runs Python in `manage.py shell` against the tested database
    # and returns what it printed. Problems count as errors.
    check: object = None
    # The user counts are the scenario's own (the feedback scenario: --members, --supervisors),
    # not shares of --users.
    fixed: bool = False


SCENARIOS = {
    "bare": Scenario({BareViewer: 1}, "a bare page, no database: the ceiling"),
    "browse": Scenario({SupervisorBrowsing: 1}, "supervisors browsing lists, details and admin changelists"),
    "feedback": Scenario(
        {MemberLoggedIn: 25, MemberWithLink: 25, SupervisorPrinting: 5},  # set from --members, --supervisors
        "members submitting signed feedback while supervisors print PDFs, no pause: capacity",
        check=check_feedback,
        fixed=True,
    ),
    "paced": Scenario(
        {PacedMemberLoggedIn: 25, PacedMemberWithLink: 25, PacedSupervisorPrinting: 5},
        "the same at a person's pace (--think, --supervisor-think)",
        check=check_feedback,
        fixed=True,
    ),
}
FEEDBACK_PHASES = ("feedback", "paced")  # their users: members logged in, members with a link, supervisors
DEFAULT_PHASES = ["bare", "browse", "feedback", "paced"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def prepare(args, scratch):
    """A fresh demo database for this run, and the environment gunicorn will use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        env["DATABASE_URL"] = f"{database_url}_load"
        pg_database(env["DATABASE_URL"])
        if args.redis:
            # As in production (deploy/banli.env): cache and sessions in Redis, beside PostgreSQL.
            subprocess.run([sys.executable, "-c", REDIS_FLUSH, args.redis], check=True)
            env["BANLI_REDIS_URL"] = args.redis
    else:
        env["BANLI_SQLITE_PATH"] = str(scratch / "load.sqlite3")
    env.update(
        BANLI_MEDIA_ROOT=str(scratch / "media"),
        BANLI_ALLOWED_HOSTS="127.0.0.1",
        BANLI_BENCH="1",
        BANLI_WORKERS=str(args.workers),
        BANLI_THREADS=str(args.threads),
        BANLI_SECOND_FACTOR="0",  # the demo supervisors sign in with a password alone: sign-in is not measured
        # As deploy/banli.env has it: what follows a request (the e-mails after a form) is queued in
        # the database for the task worker started beside gunicorn, whose CPU counts as the server's.
        BANLI_TASKS_BACKEND="database",
    )
    started = time.monotonic()
    manage(env, "migrate", "-v0")
    manage(env, "load_demo", "--volume", str(args.volume))
    ids = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from proposals.models import Proposal; print(*Proposal.objects.values_list('pk', flat=True))",
    )
    WORLD["proposal_ids"] = [int(pk) for pk in ids.split()]
    WORLD["list_pages"] = max(1, -(-len(WORLD["proposal_ids"]) // 50))  # the list shows 50 a page
    feedback_phases = [name for name in args.phase or DEFAULT_PHASES if name in FEEDBACK_PHASES]
    if feedback_phases:
        # Each phase's members take their own accounts (and replies) from the pool.
        replies_each = args.replies_each or 2 * args.seconds
        accounts = args.members * len(feedback_phases)
        data = subprocess.run(
            [sys.executable, "bench/load_data.py", "--members", str(accounts), "--replies-each", str(replies_each)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        FEEDBACK.update(json.loads(data.strip().splitlines()[-1]))
        for name in feedback_phases:
            logged_in, with_link, printing = SCENARIOS[name].users
            SCENARIOS[name].users = {
                logged_in: len(FEEDBACK["form_members"]) // len(feedback_phases),
                with_link: len(FEEDBACK["link_members"]) // len(feedback_phases),
                printing: args.supervisors,
            }
        for member in (PacedMemberLoggedIn, PacedMemberWithLink):
            member.think, member.jitter = args.think, args.think_jitter
        low, high = (args.supervisor_think * (1 + sign * args.think_jitter) for sign in (-1, 1))
        PacedSupervisorPrinting.wait_time = between(low, high)
        print(
            f"feedback: {accounts} member accounts ({args.members} a phase), {replies_each} issued replies each waiting for them"
        )
    print(f"demo copy: {len(WORLD['proposal_ids'])} proposals, built in {time.monotonic() - started:.0f} s")
    return env


# Run in a subprocess: this process is gevent-patched for locust and never imports Django.
# The load test's own Redis database (--redis), emptied first: no sessions or cache from an earlier run.
REDIS_FLUSH = """
import sys, redis
redis.Redis.from_url(sys.argv[1]).flushdb()
"""


def start_gunicorn(env, port, scratch):
    log = open(scratch / "gunicorn.log", "w")
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return app
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start; see " + str(scratch / "gunicorn.log"))


def start_task_worker(env, scratch):
    """The task worker of deploy/systemd/banli-worker@.service: one `manage.py db_worker`, at the
    unit's Nice=10 (the web app wins when both want the CPU)."""
    log = open(scratch / "worker.log", "w")
    return subprocess.Popen(
        ["nice", "-n", "10", sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def server_cpu(processes):
    """CPU seconds used so far by the server's processes (gunicorn, the task worker): each process,
    its live children, and the children it has reaped (gunicorn's workers recycled after
    max_requests), which the kernel adds to the parent's children times."""
    total = 0.0
    for process in processes:
        try:
            parent = process if isinstance(process, psutil.Process) else psutil.Process(process.pid)
            times = parent.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
            for child in parent.children(recursive=True):
                times = child.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
    return total


def neighbours():
    """The other servers the phase keeps busy on this machine: PostgreSQL's postmaster (its
    backends are its children) and Redis. The load generator is this process (own_cpu)."""
    found = {"PostgreSQL": [], "Redis": []}
    for process in psutil.process_iter(["name", "ppid"]):
        try:
            if process.info["name"] == "postgres" and psutil.Process(process.info["ppid"]).name() != "postgres":
                found["PostgreSQL"].append(process)
            elif process.info["name"] == "redis-server":
                found["Redis"].append(process)
        except psutil.Error:
            pass
    return found


def own_cpu():
    """CPU seconds of this process alone (locust's users run in it), not of the server it started."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def busy_cpu():
    """CPU seconds the whole machine has spent busy so far."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0)


# What the task worker still has to do (its tasks, and the forms whose notices are owed: one
# task sends many), and what failed: printed as "waiting failed".
TASKS_LEFT = """
from django_tasks_db.models import DBTaskResult
from feedback.models import ReceivedNotice
waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count() + ReceivedNotice.objects.count()
print(waiting, DBTaskResult.objects.failed().count())
"""


TASKS_FAILED = {"before": 0}  # failures counted by earlier phases


def drain_tasks(query, limit=120):
    """Wait until the task worker has done what the phase queued; the problems found."""
    started = time.monotonic()
    waiting, failed = (int(n) for n in query(TASKS_LEFT).split())
    at_end = waiting
    while waiting and time.monotonic() - started < limit:
        time.sleep(1)
        waiting, failed = (int(n) for n in query(TASKS_LEFT).split())
    failed, TASKS_FAILED["before"] = failed - TASKS_FAILED["before"], failed
    print(
        f"  task worker: {at_end} tasks and form notices waiting after the phase's checks, done {time.monotonic() - started:.0f} s later; "
        f"{failed} failed"
    )
    problems = [f"{failed} tasks failed (see the worker's log)"] if failed else []
    if waiting:
        problems.append(f"{waiting} tasks still waiting {limit} s after the phase")
    return problems


def _demand(user_classes, stats, busy, elapsed):
    """At a person's pace: what the members ask of this machine, from what a form cost it in this
    run (every process: web, task worker, database, load generator). Above about 80% of the
    machine, a latency target is out of reach on it whatever the server does: each answer then
    waits for a core."""
    asked = sum(c.fixed_count / c.think for c in user_classes if issubclass(c, FeedbackMember) and c.think)
    forms = stats.get("submit feedback", "POST").num_requests - stats.get("submit feedback", "POST").num_failures
    if not asked or not forms:
        return 0
    cost = busy / forms  # machine CPU seconds per form, its PDFs and e-mails included
    cpus = os.cpu_count() or 1
    print(
        f"demand: the members' pace asks for {asked:.0f} forms/s; a form cost this machine {1000 * cost:.0f} ms "
        f"of CPU in all ({forms / elapsed:.1f} forms/s served), so that pace needs "
        f"{100 * asked * cost / cpus:.0f}% of its {cpus} CPUs (task worker's backlog not included)"
    )
    return forms


def run_phase(name, scenario, host, users, seconds, query, processes=()):
    user_classes = []
    for user_class, count in scenario.users.items():
        user_class.host = host
        user_class.fixed_count = (
            count if scenario.fixed else max(1, round(users * count / sum(scenario.users.values())))
        )
        user_classes.append(user_class)
    # stop_timeout: at the end each user finishes the request it is in, so a submission the
    # server stored is never cut off before its answer (it would look like a lost row).
    environment = Environment(user_classes=user_classes, host=host, stop_timeout=30)
    runner = environment.create_local_runner()
    total_users = sum(c.fixed_count for c in user_classes)
    WORLD["logged_in"] = 0
    runner.start(total_users, spawn_rate=total_users)
    expected_logins = sum(c.fixed_count for c in user_classes if issubclass(c, BanliUser))
    deadline = time.monotonic() + 60
    while WORLD["logged_in"] < expected_logins and time.monotonic() < deadline:
        gevent.sleep(0.2)  # logging in is not what is measured
    gevent.sleep(0.5)
    environment.stats.reset_all()
    others = neighbours()
    started, busy_started = time.monotonic(), busy_cpu()
    each_started = [server_cpu([process]) for process in processes]
    others_started = {name: server_cpu(group) for name, group in others.items()}
    others_started["load generator"] = own_cpu()
    gevent.sleep(seconds)
    runner.quit()
    elapsed = time.monotonic() - started
    each = [server_cpu([process]) - before for process, before in zip(processes, each_started, strict=True)]
    cpu = sum(each)
    others_cpu = {name: server_cpu(group) - others_started[name] for name, group in others.items()}
    others_cpu["load generator"] = own_cpu() - others_started["load generator"]
    busy = busy_cpu() - busy_started
    # The e-mails still queued when the phase ends are part of what its forms cost: the task
    # worker's CPU and PostgreSQL's until the queue is empty (not the machine's: the checks and
    # each poll of the queue below start a `manage.py shell`).
    behind = [*processes[1:], *others["PostgreSQL"]]
    behind_at_end = server_cpu(behind)
    print(f"\n== {name}: {scenario.description}; {total_users} users, {elapsed:.0f} s")
    print(f"{'endpoint':<28}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}")
    rows = sorted((e for e in environment.stats.entries.values() if e.num_requests), key=lambda e: -e.num_requests)
    for entry in [*rows, environment.stats.total]:
        label = "total" if entry is environment.stats.total else entry.name
        print(
            f"{label:<28}{entry.num_requests:>9}{entry.num_failures:>8}{entry.num_requests / elapsed:>8.1f}"
            f"{entry.median_response_time or 0:>8.0f}{entry.get_response_time_percentile(0.95) or 0:>8.0f}"
        )
    # On a shared machine the wall-clock figures depend on the neighbours; the server's own CPU
    # per request much less so.
    served = environment.stats.total.num_requests
    forms = 0
    if processes and served:
        print(
            f"server CPU: {cpu:.0f} s in {elapsed:.0f} s ({100 * cpu / elapsed / (os.cpu_count() or 1):.0f}% of "
            f"{os.cpu_count()} CPUs), {1000 * cpu / served:.1f} ms a request; load average {os.getloadavg()[0]:.1f}"
        )
        # Where the rest of the machine went: what is not the server's is not the app's cost,
        # but it takes the cores the server would otherwise have.
        share = {"web server": each[0], "task worker": sum(each[1:]), **others_cpu}
        share["everything else"] = max(busy - sum(share.values()), 0)
        capacity = elapsed * (os.cpu_count() or 1)
        print(
            "machine CPU: "
            + ", ".join(f"{name} {100 * seconds / capacity:.0f}%" for name, seconds in share.items())
            + f", idle {100 * max(capacity - busy, 0) / capacity:.0f}%"
        )
        forms = _demand(user_classes, environment.stats, busy, elapsed)
    for error in environment.stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} x{error.occurrences}")
    problems = scenario.check(environment.stats, query) if scenario.check else []
    problems += drain_tasks(query)
    if forms:
        after = server_cpu(behind) - behind_at_end
        print(
            f"  with the e-mails sent after the phase ({after:.1f} s of the task worker's and PostgreSQL's CPU): "
            f"a form cost this machine {1000 * (busy + after) / forms:.0f} ms of CPU in all"
        )
    for problem in problems:
        print(f"  check failed: {problem}")
    return environment.stats.total.num_requests / elapsed, environment.stats.total.num_failures + len(problems)


def main():
    parser = argparse.ArgumentParser(description="Banli load test (locust, headless, 127.0.0.1 only)")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per phase (default 60)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users per phase (default 20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="gunicorn worker processes (default: 2 x CPUs, as deploy/gunicorn.conf.py has it)",
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per worker (default 2, as deploy/gunicorn.conf.py has it)"
    )
    parser.add_argument("--members", type=int, default=50, help="feedback: members submitting (default 50)")
    parser.add_argument("--supervisors", type=int, default=5, help="feedback: supervisors printing (default 5)")
    parser.add_argument("--think", type=float, default=5, help="paced: seconds a member spends on the form (default 5)")
    parser.add_argument(
        "--think-jitter",
        type=float,
        default=0.5,
        help="paced: each pause is drawn from think x (1 ± this), same mean (default 0.5; 0: all in step)",
    )
    parser.add_argument(
        "--supervisor-think", type=float, default=2, help="paced: seconds a supervisor looks at a PDF (default 2)"
    )
    parser.add_argument(
        "--replies-each", type=int, default=0, help="feedback: replies prepared per member (default 2 x --seconds)"
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/15",
        help="PostgreSQL runs: cache and sessions in this Redis database, emptied first, as in production "
        "(default redis://127.0.0.1:6379/15; '' for the database sessions)",
    )
    parser.add_argument("--volume", type=int, default=1000, help="synthetic proposals in the demo copy (default 1000)")
    parser.add_argument(
        "--phase",
        action="append",
        choices=sorted(SCENARIOS),
        help="phases to run (default: bare, browse, feedback, paced)",
    )
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="banli-load-"))
    env = prepare(args, scratch)
    engine = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    engine += " + Redis (cache, sessions)" if env.get("BANLI_REDIS_URL") else ""
    port = free_port()
    app = start_gunicorn(env, port, scratch)
    worker = start_task_worker(env, scratch)
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}, {engine}, one task worker; "
        f"{os.cpu_count()} CPUs shared with the load generator"
    )
    print("load average (1, 5, 15 min) before: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    results, errors = {}, 0

    def query(code):
        return manage(env, "shell", "-v0", "-c", "from feedback.models import Feedback\n" + code)

    try:
        for name in args.phase or DEFAULT_PHASES:
            rps, failed = run_phase(
                name,
                SCENARIOS[name],
                f"http://127.0.0.1:{port}",
                args.users,
                args.seconds,
                query,
                processes=(app, worker),
            )
            results[name], errors = rps, errors + failed
    finally:
        for process in (app, worker):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    print()
    if "bare" in results:
        for name, rps in results.items():
            if name == "paced":
                print(f"paced: {rps:.0f} req/s, the rate the paced users ask for (not a capacity)")
            elif name != "bare":
                print(
                    f"{name}: {rps:.0f} req/s = {100 * rps / results['bare']:.0f}% of the bare page's {results['bare']:.0f} req/s ({engine})"
                )
    print(f"errors: {errors}")
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    if env.get("DATABASE_URL"):
        pg_database(env["DATABASE_URL"], create=False)
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
