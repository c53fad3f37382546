"""python manage.py remind_feedback [--enqueue]

Reminds the members who have not answered a reply BANLI_FEEDBACK_REMINDER_DAYS after their
first link, once per reply and member; running it again sends nothing new. It also sends the
"form received" notices still owed (a queue that was down when the form came in). Run it daily from
cron or the systemd timer (deploy/systemd/banli-remind.timer); `--enqueue` hands it to the task
worker instead (BANLI_TASKS_BACKEND=database).
"""

from django.core.management.base import BaseCommand

from feedback import services, tasks
from feedback.reminders import remind_unanswered


class Command(BaseCommand):
    help = "提醒尚未填写征询意见表的代表委员（每件答复、每人一次，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行")

    def handle(self, *args, enqueue, **options):
        if enqueue:
            tasks.remind_feedback.enqueue()
            self.stdout.write("已交给后台任务。")
            return
        self.stdout.write(self.style.SUCCESS(f"已提醒 {remind_unanswered()} 人。"))
        owed = services.send_owed_notices()
        if owed:
            self.stdout.write(f"另有 {owed} 份意见表的到达通知尚未发出，已安排发送。")
