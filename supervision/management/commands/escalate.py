"""python manage.py escalate [--today YYYY-MM-DD] [--enqueue]

The daily run of graded 督办: raises every open assignment to the level its session's rules say
is due, once per rule and deadline. Running it again the same day changes nothing. Run it from
cron or the systemd timer (deploy/systemd/banli-escalate.timer); `--enqueue` hands it to the
task worker instead (BANLI_TASKS_BACKEND=database).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from supervision import escalation, tasks


class Command(BaseCommand):
    help = "按督办规则自动督办到期、超期的交办件（每条规则每个期限只督办一次，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="按哪一天计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行")

    def handle(self, *args, today, enqueue, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{today}") from exc
        if enqueue:
            tasks.escalate.enqueue(today=today or None)
            self.stdout.write("已交给后台任务。")
            return
        result = escalation.run(today=day)
        self.stdout.write(self.style.SUCCESS(f"检查 {result.checked} 件，新督办 {result.raised} 件。"))
