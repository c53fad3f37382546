"""python manage.py similar_index: rebuild the index of similar proposals from every proposal.

Registration keeps the index up to date; this is for proposals written in bulk (load_demo
--volume, a restored database) or to repair it.
"""

import time

from django.core.management.base import BaseCommand

from proposals import similar
from proposals.models import Proposal


class Command(BaseCommand):
    help = "重建相似建议提案检索索引（批量导入数据后使用）。"

    def handle(self, *args, **options):
        started = time.monotonic()
        similar.index_all()
        self.stdout.write(
            f"已为 {Proposal.objects.count()} 件建议提案建立相似检索索引，用时 {time.monotonic() - started:.1f} 秒。"
        )
