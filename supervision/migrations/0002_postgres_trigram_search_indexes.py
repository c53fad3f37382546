"""PostgreSQL only: pg_trgm GIN indexes that serve the search page's icontains lookups.

Django's icontains on PostgreSQL is UPPER(col::text) LIKE UPPER('%q%'); an index on that same
expression with gin_trgm_ops makes it an index scan, for Chinese text too. On SQLite this
migration does nothing (search there is a plain scan).
"""

from django.db import migrations

INDEXES = [
    ("supervision_trgm_proposal_title", "proposals_proposal", "title"),
    ("supervision_trgm_proposal_body", "proposals_proposal", "body"),
    ("supervision_trgm_proposal_number", "proposals_proposal", "number"),
    ("supervision_trgm_reply_title", "replies_reply", "title"),
    ("supervision_trgm_reply_body", "replies_reply", "body"),
    ("supervision_trgm_reply_doc_number", "replies_reply", "doc_number"),
    ("supervision_trgm_reply_index_number", "replies_reply", "index_number"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_urges_and_reminder_ledger"),
        ("proposals", "0001_initial"),
        ("replies", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
