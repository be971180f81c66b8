"""Mark summarised days dirty in the database itself (ADR 0029).

Whatever changes a figure of a day the dashboard's summary already holds — a status, a call's
outcome, a move, a change the KEP made, a citizen's reschedule, an absence, an opening exception
or a local holiday — writes a ``DirtyMark``, whichever code path (ORM save, ``update()``, raw
SQL) made the change. Only changes before the end of the last summarised day are marked, so the
booking and call paths of today and the future pay one indexed ``MAX`` look-up and no write.
"""

from django.db import migrations

CUTOFF_PG = "(SELECT MAX(ends_at) FROM administration_summarisedday)"
LAST_DAY_PG = "(SELECT MAX(day) FROM administration_summarisedday)"
MARK = "INSERT INTO administration_dirtymark (at, until, day, appointment_id)"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION administration_dirty_appointment() RETURNS trigger AS $$
DECLARE cutoff timestamptz := {CUTOFF_PG};
BEGIN
    IF cutoff IS NULL THEN RETURN NULL; END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.starts_at < cutoff THEN {MARK} VALUES (OLD.starts_at, NULL, NULL, NULL); END IF;
        IF OLD.cancelled_at < cutoff THEN {MARK} VALUES (OLD.cancelled_at, NULL, NULL, NULL); END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.starts_at < cutoff THEN {MARK} VALUES (NEW.starts_at, NULL, NULL, NULL); END IF;
        IF NEW.cancelled_at < cutoff THEN {MARK} VALUES (NEW.cancelled_at, NULL, NULL, NULL); END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.kep_id <> NEW.kep_id OR OLD.category_id <> NEW.category_id) THEN
        {MARK} SELECT created_at, NULL, NULL, NULL FROM booking_appointmentchange
            WHERE appointment_id = NEW.id AND created_at < cutoff;
        {MARK} VALUES (NULL, NULL, NULL, NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dirty_appointment
    AFTER INSERT OR DELETE OR UPDATE OF status, starts_at, ends_at, kep_id, category_id, cancelled_at
    ON booking_appointment FOR EACH ROW EXECUTE FUNCTION administration_dirty_appointment();

CREATE OR REPLACE FUNCTION administration_dirty_call() RETURNS trigger AS $$
DECLARE cutoff timestamptz := {CUTOFF_PG};
BEGIN
    IF cutoff IS NULL THEN RETURN NULL; END IF;
    {MARK} SELECT starts_at, NULL, NULL, NULL FROM booking_appointment
        WHERE id IN (
            CASE WHEN TG_OP <> 'INSERT' THEN OLD.appointment_id END,
            CASE WHEN TG_OP <> 'DELETE' THEN NEW.appointment_id END
        ) AND starts_at < cutoff;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dirty_call
    AFTER INSERT OR DELETE OR UPDATE OF state, opened_at, no_show_at
    ON calls_call FOR EACH ROW EXECUTE FUNCTION administration_dirty_call();

CREATE OR REPLACE FUNCTION administration_dirty_change() RETURNS trigger AS $$
DECLARE cutoff timestamptz := {CUTOFF_PG};
BEGIN
    IF cutoff IS NULL THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.created_at < cutoff THEN
        {MARK} VALUES (OLD.created_at, NULL, NULL, NULL);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.created_at < cutoff THEN
        {MARK} VALUES (NEW.created_at, NULL, NULL, NULL);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dirty_change
    AFTER INSERT OR DELETE OR UPDATE ON booking_appointmentchange
    FOR EACH ROW EXECUTE FUNCTION administration_dirty_change();

CREATE OR REPLACE FUNCTION administration_dirty_reschedule() RETURNS trigger AS $$
BEGIN
    IF NEW.occurred_at < {CUTOFF_PG} THEN {MARK} VALUES (NEW.occurred_at, NULL, NULL, NULL); END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dirty_reschedule
    AFTER INSERT ON audit_auditevent FOR EACH ROW
    WHEN (NEW.action = 'appointment.rescheduled')
    EXECUTE FUNCTION administration_dirty_reschedule();

CREATE OR REPLACE FUNCTION administration_dirty_absence() RETURNS trigger AS $$
DECLARE cutoff timestamptz := {CUTOFF_PG};
BEGIN
    IF cutoff IS NULL THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.starts_at < cutoff THEN
        {MARK} VALUES (OLD.starts_at, LEAST(OLD.ends_at, cutoff), NULL, NULL);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.starts_at < cutoff THEN
        {MARK} VALUES (NEW.starts_at, LEAST(NEW.ends_at, cutoff), NULL, NULL);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dirty_absence
    AFTER INSERT OR DELETE OR UPDATE ON directory_absence
    FOR EACH ROW EXECUTE FUNCTION administration_dirty_absence();

CREATE OR REPLACE FUNCTION administration_dirty_date() RETURNS trigger AS $$
DECLARE last_day date := {LAST_DAY_PG};
BEGIN
    IF last_day IS NULL THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.date <= last_day THEN {MARK} VALUES (NULL, NULL, OLD.date, NULL); END IF;
    IF TG_OP <> 'DELETE' AND NEW.date <= last_day THEN {MARK} VALUES (NULL, NULL, NEW.date, NULL); END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER administration_dirty_exception
    AFTER INSERT OR DELETE OR UPDATE ON directory_openingexception
    FOR EACH ROW EXECUTE FUNCTION administration_dirty_date();
CREATE TRIGGER administration_dirty_holiday
    AFTER INSERT OR DELETE OR UPDATE ON directory_localholiday
    FOR EACH ROW EXECUTE FUNCTION administration_dirty_date();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS administration_dirty_appointment ON booking_appointment;
DROP TRIGGER IF EXISTS administration_dirty_call ON calls_call;
DROP TRIGGER IF EXISTS administration_dirty_change ON booking_appointmentchange;
DROP TRIGGER IF EXISTS administration_dirty_reschedule ON audit_auditevent;
DROP TRIGGER IF EXISTS administration_dirty_absence ON directory_absence;
DROP TRIGGER IF EXISTS administration_dirty_exception ON directory_openingexception;
DROP TRIGGER IF EXISTS administration_dirty_holiday ON directory_localholiday;
DROP FUNCTION IF EXISTS administration_dirty_appointment();
DROP FUNCTION IF EXISTS administration_dirty_call();
DROP FUNCTION IF EXISTS administration_dirty_change();
DROP FUNCTION IF EXISTS administration_dirty_reschedule();
DROP FUNCTION IF EXISTS administration_dirty_absence();
DROP FUNCTION IF EXISTS administration_dirty_date();
"""

# SQLite (development): the same marks, one trigger per event. Django stores datetimes there as
# ISO text in UTC, so the comparisons are text comparisons of the same format.
CUTOFF_SQLITE = "(SELECT MAX(ends_at) FROM administration_summarisedday)"
LAST_DAY_SQLITE = "(SELECT MAX(day) FROM administration_summarisedday)"


def _sqlite_timestamps(event: str, row: str, columns: tuple[str, ...], table: str) -> str:
    marks = "\n".join(
        f"{MARK} SELECT {row}.{column}, NULL, NULL, NULL "
        f"WHERE {row}.{column} < {CUTOFF_SQLITE};"
        for column in columns
    )
    return f"CREATE TRIGGER administration_dirty_{table}_{event.split()[0].lower()} " + (
        f"AFTER {event} ON {table} BEGIN\n{marks}\nEND;"
    )


def _sqlite_statements() -> list[str]:
    statements = []
    appointment_columns = ("starts_at", "cancelled_at")
    statements.append(
        _sqlite_timestamps("INSERT", "NEW", appointment_columns, "booking_appointment")
    )
    statements.append(
        _sqlite_timestamps("DELETE", "OLD", appointment_columns, "booking_appointment")
    )
    marks = "\n".join(
        f"{MARK} SELECT {row}.{column}, NULL, NULL, NULL "
        f"WHERE {row}.{column} < {CUTOFF_SQLITE};"
        for row in ("OLD", "NEW")
        for column in appointment_columns
    )
    statements.append(
        "CREATE TRIGGER administration_dirty_booking_appointment_update AFTER UPDATE OF "
        "status, starts_at, ends_at, kep_id, category_id, cancelled_at ON booking_appointment "
        f"BEGIN\n{marks}\n"
        f"{MARK} SELECT created_at, NULL, NULL, NULL FROM booking_appointmentchange "
        "WHERE appointment_id = NEW.id AND created_at < "
        f"{CUTOFF_SQLITE} AND (OLD.kep_id <> NEW.kep_id OR OLD.category_id <> NEW.category_id);\n"
        f"{MARK} SELECT NULL, NULL, NULL, NEW.id WHERE {CUTOFF_SQLITE} IS NOT NULL "
        "AND (OLD.kep_id <> NEW.kep_id OR OLD.category_id <> NEW.category_id);\nEND;"
    )
    for event, rows in (
        ("INSERT", ("NEW",)),
        ("DELETE", ("OLD",)),
        ("UPDATE OF state, opened_at, no_show_at", ("OLD", "NEW")),
    ):
        marks = "\n".join(
            f"{MARK} SELECT starts_at, NULL, NULL, NULL FROM booking_appointment "
            f"WHERE id = {row}.appointment_id AND starts_at < {CUTOFF_SQLITE};"
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER administration_dirty_calls_call_{event.split()[0].lower()} "
            f"AFTER {event} ON calls_call BEGIN\n{marks}\nEND;"
        )
    for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
        marks = "\n".join(
            f"{MARK} SELECT {row}.created_at, NULL, NULL, NULL "
            f"WHERE {row}.created_at < {CUTOFF_SQLITE};"
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER administration_dirty_change_{event.lower()} "
            f"AFTER {event} ON booking_appointmentchange BEGIN\n{marks}\nEND;"
        )
        marks = "\n".join(
            f"{MARK} SELECT {row}.starts_at, MIN({row}.ends_at, {CUTOFF_SQLITE}), NULL, NULL "
            f"WHERE {row}.starts_at < {CUTOFF_SQLITE};"
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER administration_dirty_absence_{event.lower()} "
            f"AFTER {event} ON directory_absence BEGIN\n{marks}\nEND;"
        )
        for table in ("directory_openingexception", "directory_localholiday"):
            marks = "\n".join(
                f"{MARK} SELECT NULL, NULL, {row}.date, NULL "
                f"WHERE {row}.date <= {LAST_DAY_SQLITE};"
                for row in rows
            )
            statements.append(
                f"CREATE TRIGGER administration_dirty_{table}_{event.lower()} "
                f"AFTER {event} ON {table} BEGIN\n{marks}\nEND;"
            )
    statements.append(
        "CREATE TRIGGER administration_dirty_reschedule AFTER INSERT ON audit_auditevent "
        "WHEN NEW.action = 'appointment.rescheduled' BEGIN\n"
        f"{MARK} SELECT NEW.occurred_at, NULL, NULL, NULL "
        f"WHERE NEW.occurred_at < {CUTOFF_SQLITE};\nEND;"
    )
    return statements


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in _sqlite_statements():
            schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'administration_dirty_%'"
            )
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("administration", "0001_day_summary"),
        ("booking", "0009_appointment_code_unique"),
        ("calls", "0002_opening_and_delivery"),
        ("audit", "0003_merkle_checkpoints"),
        ("directory", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
