"""python manage.py import_replies PATH... [--dry-run] [--json] [--user USERNAME]

Each file (.txt in UTF-8 or GB18030, or .docx) becomes a draft reply with its proposal,
members, unit and contact records, flagged "imported, needs review". Directories are read
for .txt/.docx files. The same file imported twice creates nothing new. A co-handling opinion
(会办意见/协办意见 to a lead unit) becomes the opinion of the co-handling assignment; it needs
--user (who imported it). Each file's evidence for "reply / opinion / not a reply" is printed
with its weights.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from legacy.services import import_document

SUFFIXES = {".txt", ".docx"}
STATUS_WORDS = {
    "imported": "已导入（待核实）",
    "would_import": "可导入（试运行）",
    "already_imported": "已导入过",
    "refused": "未导入",
    "would_refuse": "不会导入（试运行）",
    "error": "出错",
}


KIND_WORDS = {"reply": "答复函", "opinion": "会办意见", "none": "不是答复函"}


class Command(BaseCommand):
    help = "导入历史答复文件（.txt / .docx），生成待核实的答复草稿。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="文件或目录")
        parser.add_argument("--dry-run", action="store_true", help="只识别、不写入数据库")
        parser.add_argument("--json", action="store_true", help="每个文件输出一行 JSON（含每个字段的识别置信度）")
        parser.add_argument("--user", metavar="USERNAME", help="记为导入人的账号（导入会办意见时必须）")

    def handle(self, *args, paths, dry_run, **options):
        as_json = options["json"]
        user = None
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有账号“{options['user']}”。")
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"找不到文件：{raw}")
        failed = 0
        for path in files:
            outcome = import_document(file_name=path.name, data=path.read_bytes(), user=user, dry_run=dry_run)
            failed += not outcome.ok
            if as_json:
                self.stdout.write(_dumps(outcome.as_json() | {"path": str(path)}))
            else:
                self.stdout.write(f"{path}：{STATUS_WORDS[outcome.status]} {outcome.message}")
                recognition = outcome.fields.get("recognition")
                if recognition:
                    # The evidence, so a refusal (or an acceptance) can be checked against the letter.
                    kind = KIND_WORDS.get(recognition["kind"], recognition["kind"])
                    self.stdout.write(f"    识别为：{kind}（证据合计 {recognition['score']:+d} 分）")
                    for signal in recognition["signals"]:
                        self.stdout.write(f"      {signal['weight']:+d}  {signal['label']}")
                for key, entry in outcome.records.items():
                    for item in entry if isinstance(entry, list) else [entry]:
                        action = "新建" if item["action"] == "created" else "匹配已有"
                        self.stdout.write("    {} {}：{}".format(action, key, item["label"]))
        if failed:
            raise CommandError(f"{failed} 个文件未导入。")


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=False)
