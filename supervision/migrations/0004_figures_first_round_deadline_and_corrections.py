"""The figures' triggers, version 2 (supervision/figures.py): each assignment also carries its
first round's deadline (from its deadline facts), and a corrected feedback form counts as
corrected. Replaces version 1 and recounts every assignment.
"""

from django.db import migrations

from supervision import figures


def install(apps, schema_editor):
    for sql in figures.drop_statements(schema_editor.connection.vendor, version=1):
        schema_editor.execute(sql, params=None)
    for sql in figures.drop_statements(schema_editor.connection.vendor, version=2):
        schema_editor.execute(sql, params=None)
    for sql in figures.create_statements(schema_editor.connection.vendor, version=2):
        schema_editor.execute(sql, params=None)
    figures.refresh_all(schema_editor.connection, version=2)


def uninstall(apps, schema_editor):
    for sql in figures.drop_statements(schema_editor.connection.vendor, version=2):
        schema_editor.execute(sql, params=None)
    for sql in figures.create_statements(schema_editor.connection.vendor, version=1):
        schema_editor.execute(sql, params=None)
    figures.refresh_all(schema_editor.connection, version=1)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_assignment_figures_triggers"),
        ("proposals", "0009_deadlines_disclosure_code_text_limits"),
        ("replies", "0007_doc_numbers_disclosures_contact_history_text_limits"),
        ("feedback", "0006_publish_replies_every_member_agreed_to"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
