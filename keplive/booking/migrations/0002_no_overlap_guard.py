"""The booking invariant, enforced by the database.

For one employee, the ranges [starts_at, blocked_until) of held and booked appointments never
overlap. PostgreSQL: an exclusion constraint (btree_gist). SQLite, which has none: triggers that
abort an insert or update creating an overlap; SQLite serialises writers, so the check and the
write cannot interleave. See docs/adr/0003-booking-invariant-in-the-database.md.
"""

from django.db import migrations

BLOCKING = "('held', 'booked')"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE booking_appointment
    ADD CONSTRAINT appointment_no_overlap
    EXCLUDE USING gist (
        employee_id WITH =,
        tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (status IN {BLOCKING})
    """,
]
POSTGRES_BACKWARD = ["ALTER TABLE booking_appointment DROP CONSTRAINT appointment_no_overlap"]

_SQLITE_OVERLAP = f"""
    NEW.status IN {BLOCKING} AND EXISTS (
        SELECT 1 FROM booking_appointment AS other
        WHERE other.employee_id = NEW.employee_id
          AND other.id != NEW.id
          AND other.status IN {BLOCKING}
          AND other.starts_at < NEW.blocked_until
          AND NEW.starts_at < other.blocked_until
    )
"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER appointment_no_overlap_insert
    BEFORE INSERT ON booking_appointment
    WHEN {_SQLITE_OVERLAP.replace("other.id != NEW.id", "1")}
    BEGIN SELECT RAISE(ABORT, 'appointment_no_overlap'); END
    """,
    f"""
    CREATE TRIGGER appointment_no_overlap_update
    BEFORE UPDATE OF status, employee_id, starts_at, blocked_until ON booking_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'appointment_no_overlap'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS appointment_no_overlap_insert",
    "DROP TRIGGER IF EXISTS appointment_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"No booking overlap guard for {schema_editor.connection.vendor}; "
                "KEPlive supports PostgreSQL and SQLite."
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
