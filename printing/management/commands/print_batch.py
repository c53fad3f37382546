"""print_batch: the issued replies of a session (optionally one unit, with forms or as mailing packets) merged into one PDF."""

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from printing import batch
from printing.pdf import PrintError
from proposals.models import HandlingUnit, Session
from proposals.site import site_url


class Command(BaseCommand):
    help = "批量打印：把一个会次（可限定承办单位）已发出的答复函合并为一个 PDF。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--session", type=int, required=True, help="会次编号")
        parser.add_argument("--ids", default="", help="只打印这些答复函（编号，逗号分隔）")
        parser.add_argument("--unit", type=int, help="承办单位编号")
        parser.add_argument("--with-forms", action="store_true", help="附上已签名的征询意见表")
        parser.add_argument("--packets", action="store_true", help="邮寄套件：每份答复函后附预填的征询意见表")
        parser.add_argument("-o", "--output", required=True, help="输出文件")
        parser.add_argument("--limit", type=int, default=settings.BANLI_PDF_BATCH_MAX, help="最多文件数")
        parser.add_argument("--site-url", default=site_url(), help="二维码中的网址前缀")

    def handle(
        self,
        *args: Any,
        session: int,
        ids: str,
        unit: int | None,
        with_forms: bool,
        packets: bool,
        output: str,
        limit: int,
        site_url: str,
        **options: Any,
    ) -> None:
        session_obj = Session.objects.filter(pk=session).first()
        if session_obj is None:
            raise CommandError(f"会次 {session} 不存在。")
        unit_obj = None
        if unit is not None:
            unit_obj = HandlingUnit.objects.filter(pk=unit).first()
            if unit_obj is None:
                raise CommandError(f"承办单位 {unit} 不存在。")
        try:
            id_list = [int(part) for part in ids.split(",") if part.strip()]
        except ValueError:
            raise CommandError("--ids 须为逗号分隔的编号。") from None
        replies = list(batch.replies_for(session=session_obj, unit=unit_obj, ids=id_list))
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1 or sys.stderr.isatty():
                self.stderr.write(f"\r{done}/{total}", ending="")

        try:
            data = batch.build(
                replies, limit=limit, with_forms=with_forms, packets=packets, site_url=site_url, progress=progress
            )
        except PrintError as exc:
            raise CommandError(str(exc)) from exc
        with open(output, "wb") as fh:
            fh.write(data)
        count = batch.count(replies, with_forms=with_forms, packets=packets)
        self.stdout.write(
            f"{count} 份文件 → {output}（{len(data) // 1024} KB，{time.perf_counter() - started:.1f} 秒）"
        )
