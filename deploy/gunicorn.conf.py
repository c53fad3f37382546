"""gunicorn settings for Banli: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Every value can be set from the environment, so one file serves a laptop, the load test
(bench/load.py) and each app server behind the proxy. Nothing here is shared between
processes: sessions, cache and login-throttling counts live in PostgreSQL/Redis.
"""

import multiprocessing
import os

# Behind nginx on the same host: listen on loopback (or a unix socket: "unix:/run/banli/gunicorn.sock").
bind = os.environ.get("BANLI_BIND", "127.0.0.1:8000")

# Processes x threads. gthread lets a worker overlap the time its requests wait on PostgreSQL;
# each thread keeps its own database connection (CONN_MAX_AGE), so the connections used are
# about workers x threads per app server: size PostgreSQL's max_connections (or pgbouncer) for it.
# Two threads a process, two processes a CPU: a thread back from a query waits for the
# interpreter lock while a sibling thread prints a signed form, so fewer siblings mean shorter
# waits (bench/load.py's paced phase: compare with --workers/--threads). Each process holds
# its own fonts and engines: size the server's memory for 2 x CPUs of them.
workers = int(os.environ.get("BANLI_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("BANLI_THREADS", 2))
# A worker takes a connection only when it is about to serve it (its threads and one waiting);
# the rest wait in the listen queue that both workers share, first come first served. With
# gthread's default (1000) one worker took connections faster than the other and served them
# late (bench/load.py, feedback phase, PostgreSQL: submit p95 1.5-1.8 s against p50 0.8 s).
# gunicorn 27's gthread stops accepting at the limit and keeps serving; 23's stopped polling
# too, and deadlocked with a limit this small.
worker_connections = threads + 1

# A request (a PDF batch included) finishes within this, or the worker is restarted.
timeout = int(os.environ.get("BANLI_WORKER_TIMEOUT", 60))
graceful_timeout = 30
# One request per connection. gunicorn balances by which worker accepts a connection; a worker
# keeps every keep-alive connection it accepted, so a pool of them (nginx's upstream keepalive,
# a load balancer, bench/load.py's 55 users) ended up on one worker while the other idled:
# 54 req/s on one CPU, against 83-88 req/s with both workers busy once connections close
# after each answer (bench/load.py, feedback phase, PostgreSQL). A new loopback/LAN connection
# per request costs far less than that.
keepalive = int(os.environ.get("BANLI_KEEPALIVE", 0))

# Recycle workers now and then so a slow leak (fonts, PDF rendering) never grows unbounded, but
# rarely: a gthread worker that exits drops a connection it accepted in that instant (its
# request never read), which bench/load.py saw as one failed submission per recycle at 2000.
# A worker's memory grew ~6 KB a request there (152 -> 167 MB over ~2,600 requests), so 20000
# keeps it well under 300 MB.
max_requests = int(os.environ.get("BANLI_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10

# Only the proxy on this host may set X-Forwarded-* (see BANLI_BEHIND_PROXY in settings).
forwarded_allow_ips = os.environ.get("BANLI_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr for journald; access log off unless asked for. Its lines never carry a
# one-time link's token (/f/<token>/ is logged as /f/[redacted]/, config/gunicorn_log.py).
accesslog = os.environ.get("BANLI_ACCESS_LOG") or None
logger_class = "config.gunicorn_log.AccessLogger"
errorlog = "-"
loglevel = os.environ.get("BANLI_LOG_LEVEL", "warning").lower()


def post_worker_init(worker):
    """Print a sample letter and the blank form now (fonts read, engines loaded), not in the first download.

    Then freeze what the worker holds by now (Django, both print engines, their fonts): the
    garbage collector's full passes, which come every few seconds under load, stop walking it."""
    import gc

    from printing import documents

    documents.warm()
    gc.freeze()
