"""Triggers that keep each assignment's dashboard figures (supervision/figures.py), and a first count.

The SQL lives in supervision/figures.py (the tests use it too), chosen by the database vendor.
"""

from django.db import migrations

from supervision import figures


def install(apps, schema_editor):
    for sql in figures.create_statements(schema_editor.connection.vendor, version=1):
        schema_editor.execute(sql, params=None)
    figures.refresh_all(schema_editor.connection, version=1)


def uninstall(apps, schema_editor):
    for sql in figures.drop_statements(schema_editor.connection.vendor, version=1):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_postgres_trigram_search_indexes"),
        ("proposals", "0003_assignment_figures"),
        ("replies", "0002_reply_version_delivery_history"),
        ("feedback", "0004_seal_submitted_feedback_trigger"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
