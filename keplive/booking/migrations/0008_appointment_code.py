"""Each appointment gets its readable code (``keplive.booking.codes``); existing rows are given
one each, drawn again on the rare repeat; 0007 then makes the column required and unique (a
migration of its own: PostgreSQL alters no table with the backfill's updates pending)."""

from django.db import migrations, models

import keplive.booking.codes


def backfill_codes(apps, schema_editor):
    Appointment = apps.get_model("booking", "Appointment")
    taken = set(Appointment.objects.exclude(code__isnull=True).values_list("code", flat=True))
    pending = Appointment.objects.filter(code__isnull=True).only("pk").order_by("pk")
    for appointment in pending.iterator(chunk_size=1000):
        code = keplive.booking.codes.new_code()
        while code in taken:
            code = keplive.booking.codes.new_code()
        taken.add(code)
        Appointment.objects.filter(pk=appointment.pk).update(code=code)


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
