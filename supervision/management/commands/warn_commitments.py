"""python manage.py warn_commitments [--today YYYY-MM-DD]

The daily warnings of 承诺事项 coming due or overdue (each once per time limit); run it from cron
or the systemd timer beside `escalate`.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from supervision import commitments


class Command(BaseCommand):
    help = "提醒承诺事项即将到期或已超期（每项每个时限只提醒一次，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="按哪一天计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, today, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{today}") from exc
        result = commitments.warn(today=day)
        self.stdout.write(self.style.SUCCESS(f"即将到期提醒 {result.due_soon} 项，超期提醒 {result.overdue} 项。"))
