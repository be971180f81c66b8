"""The four categories of the programme (decision Art. 4) with starting slot parameters.

They are reference data every deployment needs, so they arrive by migration; administrators
tune the parameters afterwards.
"""

import datetime as dt

from django.db import migrations

CATEGORIES = [
    {
        "number": 1,
        "slug": "information",
        "title_el": "Πληροφόρηση – Αίτηση",
        "title_en": "Administrative information – application",
        "description_el": (
            "Πληροφόρηση και υποβολή αίτησης για 52 διαδικασίες των ΚΕΠ που δεν απαιτούν "
            "φυσική παρουσία ή υπογραφή. Σε οποιοδήποτε ΚΕΠ του προγράμματος."
        ),
        "description_en": (
            "Information and applications for 52 KEP procedures that need neither physical "
            "presence nor a signature. At any KEP of the programme."
        ),
        "call_minutes": 20,
        "buffer_minutes": 10,
        "step_minutes": 30,
    },
    {
        "number": 2,
        "slug": "business",
        "title_el": "Υπηρεσίες προς Επιχειρήσεις",
        "title_en": "Services to businesses",
        "description_el": (
            "Πληροφόρηση για 235 διαδικασίες αδειοδότησης και έναρξης δραστηριότητας και έκδοση "
            "12 πιστοποιητικών. Μόνο από ΚΕΠ-ΕΚΕ· κλείνει ο νόμιμος εκπρόσωπος της επιχείρησης."
        ),
        "description_en": (
            "Information on 235 licensing and start-up procedures, and 12 certificates issued. "
            "Only at KEP-EKE; booked by the business's legal representative."
        ),
        "call_minutes": 30,
        "buffer_minutes": 10,
        "step_minutes": 30,
        "kep_eke_only": True,
    },
    {
        "number": 3,
        "slug": "disability",
        "title_el": "Εξυπηρέτηση Πολιτών με Αναπηρία",
        "title_en": "Service for citizens with disability",
        "description_el": (
            "Οι ίδιες 52 διαδικασίες με περισσότερο χρόνο τηλεδιάσκεψης, και δυνατότητα "
            "διερμηνέα ελληνικής νοηματικής γλώσσας ή χειλεανάγνωσης."
        ),
        "description_en": (
            "The same 52 procedures with a longer call, and a Greek Sign Language or "
            "lip-reading interpreter on request."
        ),
        "call_minutes": 40,
        "buffer_minutes": 10,
        "step_minutes": 30,
        "offers_interpreter": True,
    },
    {
        "number": 4,
        "slug": "municipal",
        "title_el": "Εξυπηρέτηση από το Δήμο σας",
        "title_en": "Services from your municipality",
        "description_el": (
            "Δημοτικές υπηρεσίες των Δήμων του προγράμματος. Επιλέγετε υποχρεωτικά ΚΕΠ του Δήμου "
            "από τον οποίο ζητάτε την υπηρεσία."
        ),
        "description_en": (
            "Municipal services of the participating municipalities. You must choose a KEP of "
            "the municipality you ask the service from."
        ),
        "call_minutes": 20,
        "buffer_minutes": 10,
        "step_minutes": 30,
        "municipal": True,
    },
]

COMMON = {
    "min_notice_minutes": 120,
    "horizon_days": 30,
    "window_start": dt.time(8, 0),
    "window_end": dt.time(14, 30),
}


def create_categories(apps, schema_editor):
    category_model = apps.get_model("catalogue", "Category")
    for values in CATEGORIES:
        category_model.objects.update_or_create(
            number=values["number"], defaults={**COMMON, **values}
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
