"""Demo data of the outcomes app: the white application template of the demo home
municipality (Athens). ``load_demo_white_application_templates()`` is idempotent."""

from __future__ import annotations

from keplive.directory.demo_data import DEMO_HOME_MUNICIPALITY
from keplive.directory.models import Municipality
from keplive.outcomes.models import WhiteApplicationTemplate

DEMO_TITLE = "Αίτηση προς τον Δήμο"
DEMO_BODY = """ΑΙΤΗΣΗ

Ονοματεπώνυμο: {full_name}
Διεύθυνση: {address}

ΠΡΟΣ: {municipality}

Θέμα: {service}

Παρακαλώ για τα εξής:
{subject}

Η αίτηση υποβάλλεται μέσω του {kep}, με τηλεδιάσκεψη (myKEPlive).

Ημερομηνία: {date}

Ο/Η αιτών/ούσα
{full_name}
"""


def load_demo_white_application_templates() -> int:
    """Create (or refresh) the demo template; the number of templates created (0 or 1).
    Nothing happens when the demo home municipality is not loaded."""
    municipality = Municipality.objects.filter(code=DEMO_HOME_MUNICIPALITY).first()
    if municipality is None:
        return 0
    _template, created = WhiteApplicationTemplate.objects.update_or_create(
        municipality=municipality,
        is_active=True,
        defaults={"title": DEMO_TITLE, "body": DEMO_BODY},
    )
    return int(created)
