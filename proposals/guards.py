"""Database triggers that keep sealed rows as they are, on SQLite and PostgreSQL.

A `Guard` names a table, when one of its rows is sealed (an SQL condition on OLD), and which
columns may still change on a sealed row, under which condition (an issued reply still takes
its sealed scan and its delivery time; a submitted form its receipt, once). Any other UPDATE
of a sealed row, and any DELETE of one, is refused by the database with an IntegrityError,
whoever writes: a page, the admin, a script, raw SQL.

The pages refuse first, with a message; the trigger is what holds when someone goes around
them. On SQLite the trigger names every column it protects, so it is created from the table as
it is (introspected) and a migration that adds a column to a guarded table installs it again;
tests/security/test_sealed_rows.py tries every column of each guarded model. PostgreSQL
compares whole rows. A TRUNCATE (a test database being emptied) is not a row delete and
passes.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Guard:
    table: str
    name: str
    sealed: str  # an SQL condition on OLD, the same on both databases
    message: str
    mutable: tuple = ()  # columns that may change on a sealed row ...
    mutable_ok: dict = field(default_factory=dict)  # ... when this holds (per vendor), if given

    def columns(self, connection):
        with connection.cursor() as cursor:
            return [c.name for c in connection.introspection.get_table_description(cursor, self.table)]

    def create_statements(self, connection):
        vendor = connection.vendor
        if vendor == "sqlite":
            return self._sqlite(self.columns(connection))
        if vendor == "postgresql":
            return self._postgresql()
        raise NotImplementedError(f"No guard triggers for the {vendor} database")

    def drop_statements(self, vendor):
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {self.name}_update", f"DROP TRIGGER IF EXISTS {self.name}_delete"]
        if vendor == "postgresql":
            return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}", f"DROP FUNCTION IF EXISTS {self.name}()"]
        raise NotImplementedError(f"No guard triggers for the {vendor} database")

    def _sqlite(self, columns):
        unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c not in self.mutable) or "1"
        allowed = unchanged
        if self.mutable_ok.get("sqlite"):
            allowed += f" AND ({self.mutable_ok['sqlite']})"
        return [
            f"CREATE TRIGGER {self.name}_update BEFORE UPDATE ON {self.table} FOR EACH ROW "
            f"WHEN ({self.sealed}) AND NOT ({allowed}) "
            f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END",
            f"CREATE TRIGGER {self.name}_delete BEFORE DELETE ON {self.table} FOR EACH ROW "
            f"WHEN ({self.sealed}) BEGIN SELECT RAISE(ABORT, '{self.message}'); END",
        ]

    def _postgresql(self):
        strip = "".join(f" - '{c}'" for c in self.mutable)
        allowed = f"(to_jsonb(NEW){strip}) = (to_jsonb(OLD){strip})"
        if self.mutable_ok.get("postgresql"):
            allowed += f" AND ({self.mutable_ok['postgresql']})"
        return [
            f"""
            CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NOT ({self.sealed}) THEN
                    IF TG_OP = 'DELETE' THEN
                        RETURN OLD;
                    END IF;
                    RETURN NEW;
                END IF;
                IF TG_OP = 'UPDATE' AND {allowed} THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{self.message}' USING ERRCODE = 'integrity_constraint_violation';
            END
            $$
            """,
            f"CREATE TRIGGER {self.name} BEFORE UPDATE OR DELETE ON {self.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.name}()",
        ]


def install(guard, schema_editor):
    """For a migration's RunPython: drop the guard's triggers if present, then create them anew."""
    for sql in guard.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)
    for sql in guard.create_statements(schema_editor.connection):
        schema_editor.execute(sql, params=None)


def uninstall(guard, schema_editor):
    for sql in guard.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)
