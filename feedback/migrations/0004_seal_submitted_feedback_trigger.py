"""A submitted feedback form cannot be changed: a BEFORE UPDATE trigger on SQLite and PostgreSQL.

The SQL lives in feedback/sealing.py (the tests use it too, to simulate tampering), chosen by
connection.vendor. A later change to the trigger gets its own migration.
"""

from django.db import migrations

from feedback import sealing


def forwards(apps, schema_editor):
    for sql in sealing.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in sealing.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_feedback_links_and_notification_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
