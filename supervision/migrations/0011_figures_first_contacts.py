"""The figures' triggers, version 3 (supervision/figures.py): each assignment also carries the
dates of its first contact and of its first face-to-face contact on or after 交办, for the
见面率. Replaces version 2 and recounts every assignment.
"""

from django.db import migrations

from supervision import figures


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in figures.drop_statements(vendor, version=2) + figures.drop_statements(vendor, version=3):
        schema_editor.execute(sql, params=None)
    for sql in figures.create_statements(vendor, version=3):
        schema_editor.execute(sql, params=None)
    figures.refresh_all(schema_editor.connection, version=3)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in figures.drop_statements(vendor, version=3):
        schema_editor.execute(sql, params=None)
    for sql in figures.create_statements(vendor, version=2):
        schema_editor.execute(sql, params=None)
    figures.refresh_all(schema_editor.connection, version=2)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0010_scoring_scheme"),
        ("proposals", "0015_assignment_first_contacts"),
        ("replies", "0008_required_elements"),
        ("feedback", "0008_feedback_drafts"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
