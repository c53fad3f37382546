"""print_worker: builds queued batch prints (BANLI_PRINT_JOBS="queue"), one job at a time.

Run one or more beside the app servers (deploy/banli-print-worker@.service). Each worker
claims the oldest queued job (printing/jobs.py), builds it with the same code the web page
used to, and polls again. SIGTERM/SIGINT: the current job is finished first, then it exits.
At start it hands back to the queue whatever its previous life (same --name) left running.
"""

import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from printing import jobs


class Command(BaseCommand):
    help = "批量打印队列进程：依次生成排队中的批量打印任务（BANLI_PRINT_JOBS=queue）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--name",
            default=f"{socket.gethostname()}:{os.getpid()}",
            help="本进程的名称（每台服务器上唯一，重启后保持不变；默认 主机名:进程号）",
        )
        parser.add_argument("--poll", type=float, default=2.0, help="队列为空时每隔几秒查看一次（默认 2）")
        parser.add_argument("--once", action="store_true", help="处理完当前排队的任务后退出")

    def handle(self, *args, name, poll, once, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        jobs.requeue_abandoned(worker=name)
        self.stdout.write(f"print_worker {name}: waiting for batch prints")
        last_sweep = 0.0
        while not self.stopping:
            close_old_connections()  # a database restart between jobs costs one reconnect, not the worker
            try:
                if time.monotonic() - last_sweep > 60:
                    jobs.requeue_abandoned()
                    last_sweep = time.monotonic()
                job_id = jobs.claim(name)
                if job_id is not None:
                    self.stdout.write(f"batch print {job_id}: building")
                    jobs.run(job_id, worker=name)
                    self.stdout.write(f"batch print {job_id}: finished")
                    continue
            except DatabaseError as exc:
                self.stderr.write(f"database unavailable ({exc}); retrying in {poll:.0f} s")
            if once:
                break
            self.sleep(poll)
        self.stdout.write(f"print_worker {name}: stopped")

    def stop(self, signum, frame):
        self.stopping = True

    def sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))
