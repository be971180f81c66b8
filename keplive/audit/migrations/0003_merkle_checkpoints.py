"""Signed Merkle checkpoints instead of a hash chain appended under a global lock (ADR 0011).

Events get their own content hash (``leaf_hash``); ``digest`` and ``previous_digest`` stay, for
the rows written before, whose chain verification still checks and whose events the first
checkpoint seals. Checkpoints are append-only like events: the same triggers.

On SQLite, making ``digest`` nullable rebuilds the events' table, which drops its trigger; it is
created again here.
"""

from django.db import migrations, models

MESSAGE = "audit checkpoints are append-only"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_checkpoint_append_only();
"""
# As 0002 (DELETE stays possible on SQLite: the test runner empties tables with it).
SQLITE_UP = [
    # Rebuilding the events' table above dropped its trigger.
    """CREATE TRIGGER IF NOT EXISTS audit_event_append_only BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    f"""CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE ON audit_auditcheckpoint
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_checkpoint_append_only;"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='leaf_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='digest',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveBigIntegerField(unique=True)),
                ('after_event_id', models.BigIntegerField(unique=True)),
                ('through_event_id', models.BigIntegerField(unique=True)),
                ('tree_size', models.PositiveIntegerField()),
                ('log_size', models.PositiveBigIntegerField()),
                ('root_hash', models.CharField(max_length=64)),
                ('previous_hash', models.CharField(max_length=64, unique=True)),
                ('sealed_at', models.DateTimeField()),
                ('checkpoint_hash', models.CharField(max_length=64, unique=True)),
                ('key_id', models.CharField(max_length=16)),
                ('signature', models.CharField(max_length=128)),
            ],
            options={
                'verbose_name': 'audit checkpoint',
                'verbose_name_plural': 'audit checkpoints',
                'ordering': ['number'],
                'constraints': [models.CheckConstraint(condition=models.Q(('through_event_id__gt', models.F('after_event_id'))), name='audit_checkpoint_range_not_empty')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
