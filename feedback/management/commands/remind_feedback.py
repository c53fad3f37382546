from django.core.management.base import BaseCommand

from feedback.reminders import remind_unanswered


class Command(BaseCommand):
    help = "提醒尚未填写征询意见表的代表委员（每件答复、每人一次）。由定时任务运行。"

    def handle(self, *args, **options):
        count = remind_unanswered()
        self.stdout.write(f"已提醒 {count} 人。")
