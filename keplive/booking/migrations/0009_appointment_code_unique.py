"""The readable code becomes required and unique, after 0006 gave every row one.

On SQLite both operations rebuild the table, which drops its triggers: the overlap guard of
0002 is created again after them (PostgreSQL alters the column in place and keeps its exclusion
constraint). Any later migration that rebuilds ``booking_appointment`` on SQLite must do the same.
"""

from importlib import import_module

from django.db import migrations, models

import keplive.booking.codes

_guard = import_module("keplive.booking.migrations.0002_no_overlap_guard")


def restore_sqlite_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _guard.SQLITE_BACKWARD + _guard.SQLITE_FORWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0008_appointment_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appointment",
            name="code",
            field=models.CharField(
                default=keplive.booking.codes.new_code,
                editable=False,
                max_length=8,
                verbose_name="code",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(fields=("code",), name="appointment_code_unique"),
        ),
        migrations.RunPython(restore_sqlite_guard, migrations.RunPython.noop, elidable=False),
    ]
