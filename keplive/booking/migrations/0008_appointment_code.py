"""Each appointment gets its readable code (``keplive.booking.codes``); existing rows are given
one each, drawn again on the rare repeat; 0007 then makes the column required and unique (a
migration of its own: PostgreSQL alters no table with the backfill's updates pending)."""

from django.db import migrations, models

import keplive.booking.codes

# Rows given their codes per statement. One UPDATE per row took about 30 minutes on the national
# data set (650,000 appointments), inside the migration's transaction; in chunks it takes seconds.
CHUNK = 5000


def backfill_codes(apps, schema_editor):
    Appointment = apps.get_model("booking", "Appointment")
    connection = schema_editor.connection
    taken = set(Appointment.objects.exclude(code__isnull=True).values_list("code", flat=True))
    pending = list(
        Appointment.objects.filter(code__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for first in range(0, len(pending), CHUNK):
        ids = pending[first : first + CHUNK]
        codes = []
        for _pk in ids:
            code = keplive.booking.codes.new_code()
            while code in taken:
                code = keplive.booking.codes.new_code()
            taken.add(code)
            codes.append(code)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE booking_appointment AS a SET code = v.code"
                    " FROM unnest(%s::bigint[], %s::varchar[]) AS v(id, code) WHERE a.id = v.id",
                    [ids, codes],
                )
        else:
            Appointment.objects.bulk_update(
                [Appointment(pk=pk, code=code) for pk, code in zip(ids, codes, strict=True)],
                ["code"],
                batch_size=500,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0007_special_requirements"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="code",
            field=models.CharField(editable=False, max_length=8, null=True, verbose_name="code"),
        ),
        migrations.RunPython(backfill_codes, migrations.RunPython.noop, elidable=False),
    ]
