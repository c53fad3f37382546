"""python manage.py import_assignments FILE.xlsx [--dry-run] [--user USERNAME]

Checks every row and prints the bad ones with their row numbers; imports only when every
row is good, all in one transaction. Re-running it on the same file changes nothing.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from supervision import importer


class Command(BaseCommand):
    help = "导入交办清单（Excel）：先检查全部行，全部无误才导入；--dry-run 只检查不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="交办清单 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入数据库")
        parser.add_argument("--user", default="", help="记为交办人的用户名（默认：第一个超级用户）")

    def handle(self, *args, file, dry_run, user, **options):
        User = get_user_model()
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在。")
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("没有可用的超级用户，请用 --user 指定。")
        try:
            with open(file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"无法打开文件：{exc}") from exc
        try:
            plan = importer.Planner(actor).plan(data)
        except importer.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for row in plan.rows:
            if row.errors:
                for error in row.errors:
                    self.stderr.write(f"第{row.number}行：{error}")
            else:
                created = f"（将新建人员：{'、'.join(row.new_members)}）" if row.new_members else ""
                self.stdout.write(
                    f"第{row.number}行：{row.values['number']} {row.values['title']} → {row.action_display}{created}"
                )
        if not plan.ok:
            raise CommandError(f"{len(plan.errors)} 行有错误，未导入任何数据。")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"检查通过（试运行，未写入）：新增 {plan.count('new')} 件，补充交办 {plan.count('add_units')} 件，"
                    f"无变化 {plan.count('unchanged')} 件。"
                )
            )
            return
        created = importer.apply(plan, user=actor)
        self.stdout.write(
            self.style.SUCCESS(f"导入完成：新增建议提案 {created['proposals']} 件，交办 {created['assignments']} 条。")
        )
