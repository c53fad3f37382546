"""The tallies (`Tally`, `MeetingTally`): the assignments counted by the facts the dashboard groups
and filters by, kept up to date by the database itself (triggers, SQLite and PostgreSQL).

A `Tally` row counts the assignments that share a session, kind, unit, role, month of the first
round's deadline, deadline still open (or none once replied or closed) and month of the first
issued reply, with their figures (supervision/figures.py) added up. A `MeetingTally` row counts
the answering (主办/分办) shares that share a session, kind, unit, role, key flag, 交办 date and
days from it to their first contact and first face-to-face contact. Returned assignments are
left out of both. The dashboard, the 见面率, the unit scores and the annual report sum these rows
(a few thousand) instead of reading every assignment at each request.

The triggers add and take away whole assignments: on each write to an assignment (its own
columns, or the figures that supervision/figures.py keeps on it) the old row's contribution is
subtracted and the new one's added, in both tallies, and on a change of a proposal's session,
kind or key flag its assignments move. Adding is done by `INSERT … ON CONFLICT DO UPDATE` on the grain, which both
databases apply atomically to the one row, so concurrent writes neither lose nor double a count;
a row whose every count fell to zero is deleted. Additions commute, so the order in which nested
triggers fire does not matter. `refresh()` recounts the tallies from the assignments (the migration
that installs the triggers runs it; so does `manage.py recount_figures`, for a tally emptied while
its assignments stay, as Django's `flush` on SQLite may leave it); tests/supervision/test_tally.py checks they agree after
every kind of write.

The SQL is versioned like the figures': a migration keeps installing the version it named. The
triggers sit on proposals_assignment and proposals_proposal: on SQLite a migration that rebuilds
either table (Django does, to add a constraint) drops them with the old table, so it installs
them again and runs `refresh()` (as for the figures' triggers, which name these tables too).
"""

from django.db import connection as default_connection

from .figures import GENERIC_PLANS
from .models import TALLY_NO_DAYS, TALLY_NOT_OPEN

# Literals, so that a migration's SQL never changes (proposals.choices, replies.models.ResultClass).
DONE = ("replied", "closed")
RETURNED = "returned"
CO = "co"
CLASSES = ("A", "B", "C", "D")
NO_DATE = "0001-01-01"

# The assignment's columns the tally reads.
ASSIGNMENT_COLUMNS = [
    "proposal_id",
    "unit_id",
    "role",
    "status",
    "assigned_on",
    "signed_for_on",
    "due_on",
    "first_due_on",
    "first_reply_on",
    "first_opinion_on",
    "latest_class",
    "contact_count",
    "form_count",
    "satisfied_count",
    "basically_count",
    "dissatisfied_count",
    "silent_count",
    "first_contact_on",
    "first_meeting_on",
]
PROPOSAL_COLUMNS = ["session_id", "kind", "is_key"]


def _date(vendor, text):
    return f"DATE '{text}'" if vendor == "postgresql" else f"'{text}'"


def _month(vendor, column):
    if vendor == "postgresql":
        return f"COALESCE(to_char({column}, 'YYYY-MM'), '')"
    return f"COALESCE(substr({column}, 1, 7), '')"


def _days(vendor, start, end):
    if vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def _column(vendor, name, a, p):
    """The value of the grain column `name` for assignment row `a` of proposal row `p`."""

    def days(column):
        return (
            f"CASE WHEN {a}.role = '{CO}' OR {column} IS NULL THEN {TALLY_NO_DAYS} "
            f"ELSE {_days(vendor, f'{a}.assigned_on', column)} END"
        )

    return {
        "session_id": f"{p}.session_id",
        "unit_id": f"{a}.unit_id",
        "role": f"{a}.role",
        "kind": f"{p}.kind",
        "is_key": f"{p}.is_key",
        "due_month": _month(vendor, f"{a}.first_due_on"),
        "open_due_on": (
            f"CASE WHEN {a}.status IN ('{DONE[0]}', '{DONE[1]}') THEN {_date(vendor, TALLY_NOT_OPEN)} ELSE {a}.due_on END"
        ),
        "reply_month": _month(vendor, f"{a}.first_reply_on"),
        "assigned_on": f"CASE WHEN {a}.role = '{CO}' THEN {_date(vendor, NO_DATE)} ELSE {a}.assigned_on END",
        "contact_days": days(f"{a}.first_contact_on"),
        "meeting_days": days(f"{a}.first_meeting_on"),
    }[name]


def _figures(a):
    """{column: SQL} of what assignment row `a` adds to its tally row."""

    def one(condition):
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    return {
        "n": "1",
        "signed": one(f"{a}.signed_for_on IS NOT NULL"),
        "replies": one(f"{a}.first_reply_on IS NOT NULL"),
        "replies_on_time": one(f"{a}.first_reply_on <= {a}.first_due_on"),
        "replies_late": one(f"{a}.first_reply_on > {a}.first_due_on"),
        "opinions": one(f"{a}.first_opinion_on IS NOT NULL"),
        "opinions_on_time": one(f"{a}.first_opinion_on <= {a}.first_due_on"),
        "contacted": one(f"{a}.contact_count > 0"),
        "returned": one(f"{a}.form_count > 0"),
        "forms": f"{a}.form_count",
        "satisfied": f"{a}.satisfied_count",
        "basically": f"{a}.basically_count",
        "dissatisfied": f"{a}.dissatisfied_count",
        "silent": f"{a}.silent_count",
        **{f"class_{code.lower()}": one(f"{a}.latest_class = '{code}'") for code in CLASSES},
    }


def _count(a):
    return {"n": "1"}


# By version: each table, its grain, what an assignment adds to a row, and which assignments
# count in it (besides not being returned).
TABLES = {
    1: {
        "supervision_tally": (
            [
                "session_id",
                "unit_id",
                "role",
                "kind",
                "is_key",
                "due_month",
                "open_due_on",
                "reply_month",
                "assigned_on",
                "contact_days",
                "meeting_days",
            ],
            _figures,
            "TRUE",
        ),
    },
    2: {
        # The dashboard's figures, without what only the 见面率 needs (the rows are fewer).
        "supervision_tally": (
            ["session_id", "unit_id", "role", "kind", "due_month", "open_due_on", "reply_month"],
            _figures,
            "TRUE",
        ),
        # The 见面率: the answering (主办/分办) shares by 交办 date and days to the first contacts.
        "supervision_meetingtally": (
            ["session_id", "unit_id", "role", "kind", "is_key", "assigned_on", "contact_days", "meeting_days"],
            _count,
            f"{{a}}.role <> '{CO}'",
        ),
    },
}
LATEST = 2


def _add(vendor, version, table, a, p, source, sign):
    """INSERT … ON CONFLICT adding (sign "+") or taking away ("-") the assignments `a` of `source`."""
    names, measures_of, counted = TABLES[version][table]
    grain = [_column(vendor, name, a, p) for name in names]
    measures = measures_of(a)
    columns = ", ".join(names + list(measures))
    values = ", ".join(grain + [f"{'-' if sign == '-' else ''}SUM({sql})" for sql in measures.values()])
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in measures)
    return (
        f"INSERT INTO {table} ({columns}) SELECT {values} FROM {source} AND {a}.status <> '{RETURNED}' "  # nosec B608
        f"AND {counted.format(a=a)} GROUP BY {', '.join(grain)} "
        f"ON CONFLICT ({', '.join(names)}) DO UPDATE SET {updates}"
    )


def _prune(vendor, version, table, a, p, source):
    """Delete the rows of `table` of the assignments `a` of `source` that now count nothing."""
    names, measures_of, _counted = TABLES[version][table]
    empty = " AND ".join(f"{name} = 0" for name in measures_of(a))
    grain = ", ".join(_column(vendor, name, a, p) for name in names)
    return f"DELETE FROM {table} WHERE {empty} AND ({', '.join(names)}) IN (SELECT {grain} FROM {source})"  # nosec B608


def _of_assignment(row):
    return f"proposals_proposal p WHERE p.id = {row}.proposal_id"


def _of_proposal(row):
    return f"proposals_assignment a WHERE a.proposal_id = {row}.id"


def _statements(vendor, version, event, source_table):
    """The statements a write of `event` (INSERT, DELETE, UPDATE) to `source_table` runs."""
    steps = []
    for table in TABLES[version]:
        if source_table == "proposals_assignment":
            old = ("OLD", "p", _of_assignment("OLD"))
            new = ("NEW", "p", _of_assignment("NEW"))
        else:
            old = ("a", "OLD", _of_proposal("OLD"))
            new = ("a", "NEW", _of_proposal("NEW"))
        if event in ("DELETE", "UPDATE"):
            steps.append((_add(vendor, version, table, *old, "-"), _prune(vendor, version, table, *old)))
        if event in ("INSERT", "UPDATE"):
            steps.append((_add(vendor, version, table, *new, "+"), None))
    # Add first, prune last: a row is only deleted once everything this write moves has arrived.
    return [add for add, _prune_sql in steps] + [prune for _add_sql, prune in steps if prune]


TRIGGERS = {
    "proposals_assignment": (["INSERT", "DELETE", "UPDATE"], ASSIGNMENT_COLUMNS),
    "proposals_proposal": (["UPDATE"], PROPOSAL_COLUMNS),
}


def _changed(vendor, columns):
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {op} NEW.{column}" for column in columns)


def _name(table, event):
    return f"{table}_tally_{event.lower()}"


def create_statements(vendor, version=LATEST):
    statements = []
    for table, (events, columns) in TRIGGERS.items():
        for event in events:
            name = _name(table, event)
            when = f"WHEN ({_changed(vendor, columns)})" if event == "UPDATE" else ""
            on = f"UPDATE OF {', '.join(columns)}" if event == "UPDATE" else event
            body = _statements(vendor, version, event, table)
            if vendor == "sqlite":
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {on} ON {table} FOR EACH ROW {when} BEGIN {'; '.join(body)}; END"
                )
            elif vendor == "postgresql":
                statements += [
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql {GENERIC_PLANS} AS $$ "
                    f"BEGIN {'; '.join(body)}; RETURN NULL; END $$",
                    f"CREATE TRIGGER {name} AFTER {on} ON {table} FOR EACH ROW {when} EXECUTE FUNCTION {name}()",
                ]
            else:
                raise NotImplementedError(f"No tally triggers for the {vendor} database")
    return statements


def function_names():
    """The PostgreSQL trigger functions (one per table and write)."""
    return [_name(table, event) for table, (events, _columns) in TRIGGERS.items() for event in events]


def drop_statements(vendor, version=LATEST):
    statements = []
    for table, (events, _columns) in TRIGGERS.items():
        for event in events:
            name = _name(table, event)
            if vendor == "sqlite":
                statements.append(f"DROP TRIGGER IF EXISTS {name}")
            else:
                statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return statements


def refresh(connection=default_connection, version=LATEST):
    """Recount the whole tally from the assignments (after installing the triggers, or to repair)."""
    vendor = connection.vendor
    every = "proposals_assignment a JOIN proposals_proposal p ON p.id = a.proposal_id WHERE TRUE"
    with connection.cursor() as cursor:
        for table in TABLES[version]:
            cursor.execute(f"DELETE FROM {table}")  # nosec B608
            cursor.execute(_add(vendor, version, table, "a", "p", every, "+"))
