"""python manage.py recount_figures

Recounts every assignment's figures and the tallies from the rows themselves, in one
transaction. The database's triggers keep them (supervision/figures.py, supervision/tally.py);
this repairs them after a change made around the triggers, such as `flush` on SQLite, which
empties the tables one after the other in no set order.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from supervision import figures, tally


class Command(BaseCommand):
    help = "重新统计各交办的办理数字和统计汇总（修复绕过数据库触发器的改动）。"

    def handle(self, *args, **options):
        with transaction.atomic():
            figures.refresh_all()
            tally.refresh()
        self.stdout.write(self.style.SUCCESS("已重新统计。"))
