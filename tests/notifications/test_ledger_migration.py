"""The e-mails the feedback app's ledger recorded move into the notifications ledger: a member
already mailed about a reply is not mailed again after the upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("feedback", "0006_publish_replies_every_member_agreed_to"),
    ("notifications", "0001_deliveries_and_notifications"),
]
AFTER = [("feedback", "0007_ledger_moved_to_notifications")]


@pytest.mark.django_db(transaction=True)
def test_the_old_ledger_rows_become_deliveries():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Old = apps.get_model("feedback", "Notification")
    at = timezone.now()
    Old.objects.create(
        key="reply_issued:5:7", kind="reply_issued", recipients="a@example.org", subject="答复", sent_at=at
    )
    Old.objects.create(
        key="reply_issued:5:8", kind="reply_issued", recipients="", subject="答复", note="无邮箱地址，未发送"
    )
    Old.objects.create(
        key="feedback_received:3", kind="feedback_received", recipients="u@example.org, c@example.org", subject="收到"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    Delivery = executor.loader.project_state(AFTER).apps.get_model("notifications", "Delivery")
    rows = {(d.key, d.recipient, d.address) for d in Delivery.objects.all()}
    assert rows == {
        ("reply_issued:5", "member:7", "a@example.org"),
        ("reply_issued:5", "member:8", ""),  # recorded as handled, as before: not sent again
        ("feedback_received:3", "email:u@example.org", "u@example.org"),
        ("feedback_received:3", "email:c@example.org", "c@example.org"),
    }
    assert Delivery.objects.get(recipient="member:7").sent_at == at

    # back to the latest state for the tests that follow
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
