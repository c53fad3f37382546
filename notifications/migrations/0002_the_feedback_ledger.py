"""The e-mails recorded by the feedback app's ledger become deliveries (one per address), so
nothing it sent is sent again: a member mailed about a reply stays mailed about it."""

from django.db import migrations


def recipient_and_key(old, links):
    """The new ledger's (key, recipient) for an old row: reply_issued:R:M is reply_issued:R to member M."""
    parts = old.key.split(":")
    if old.kind == "reply_issued" and len(parts) == 3:
        return f"reply_issued:{parts[1]}", f"member:{parts[2]}"
    if old.kind == "new_link" and len(parts) == 2 and parts[1].isdigit() and int(parts[1]) in links:
        return old.key, f"member:{links[int(parts[1])]}"
    return old.key, ""


def forwards(apps, schema_editor):
    Old = apps.get_model("feedback", "Notification")
    Link = apps.get_model("feedback", "FeedbackLink")
    Delivery = apps.get_model("notifications", "Delivery")
    links = dict(Link.objects.values_list("pk", "member_id"))
    rows = []
    for old in Old.objects.order_by("pk").iterator():
        key, member = recipient_and_key(old, links)
        addresses = [a.strip() for a in old.recipients.split(",") if a.strip()] or [""]
        for address in addresses:
            rows.append(
                Delivery(
                    event=old.kind,
                    key=key,
                    recipient=member or f"email:{address}",
                    channel="email",
                    address=address,
                    subject=old.subject[:200],
                    sent_at=old.sent_at,
                    note=old.note[:200],
                )
            )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Old = apps.get_model("feedback", "Notification")
    Delivery = apps.get_model("notifications", "Delivery")
    kinds = {"reply_issued", "feedback_received", "new_link"}
    for row in Delivery.objects.filter(event__in=kinds, channel="email").order_by("pk").iterator():
        key = row.key
        if row.event == "reply_issued" and row.recipient.startswith("member:"):
            key = f"{row.key}:{row.recipient.split(':', 1)[1]}"
        old, created = Old.objects.get_or_create(
            key=key,
            defaults={"kind": row.event, "recipients": row.address, "subject": row.subject, "sent_at": row.sent_at},
        )
        if not created and row.address and row.address not in old.recipients:
            old.recipients = ", ".join(filter(None, [old.recipients, row.address]))
            old.save(update_fields=["recipients"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_deliveries_and_notifications"),
        ("feedback", "0006_publish_replies_every_member_agreed_to"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
