"""Demo data of the outcomes app: the white application templates of the demo home
municipality (Athens) — its general one and, as seed 002 attaches one per municipal service,
templates of two of its services (the others fall back to the general one).
``load_demo_white_application_templates()`` is idempotent."""

from __future__ import annotations

from keplive.catalogue.models import Service
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


# Per service (the slug of catalogue.demo_data.MUNICIPAL_POOL): title and body.
SERVICE_TEMPLATES: dict[str, tuple[str, str]] = {
    "resident-parking-card": (
        "Αίτηση για κάρτα στάθμευσης μόνιμου κατοίκου",
        """ΑΙΤΗΣΗ ΓΙΑ ΚΑΡΤΑ ΣΤΑΘΜΕΥΣΗΣ ΜΟΝΙΜΟΥ ΚΑΤΟΙΚΟΥ

Ονοματεπώνυμο: {full_name}
Διεύθυνση μόνιμης κατοικίας: {address}

ΠΡΟΣ: {municipality} – Υπηρεσία Δημοτικής Αστυνομίας

Παρακαλώ να μου χορηγήσετε κάρτα στάθμευσης μόνιμου κατοίκου για τις ελεγχόμενες θέσεις
στάθμευσης της περιοχής της κατοικίας μου.
Στοιχεία του οχήματος και λοιπές πληροφορίες:
{subject}

Δικαιολογητικά (αποστέλλονται με ηλεκτρονικό ταχυδρομείο): άδεια κυκλοφορίας του οχήματος,
λογαριασμός ΔΕΚΟ της κατοικίας.

Η αίτηση υποβάλλεται μέσω του {kep}, με τηλεδιάσκεψη (myKEPlive).

Ημερομηνία: {date}

Ο/Η αιτών/ούσα
{full_name}
""",
    ),
    "municipal-clearance": (
        "Αίτηση χορήγησης βεβαίωσης δημοτικής ενημερότητας",
        """ΑΙΤΗΣΗ ΧΟΡΗΓΗΣΗΣ ΒΕΒΑΙΩΣΗΣ ΔΗΜΟΤΙΚΗΣ ΕΝΗΜΕΡΟΤΗΤΑΣ

Ονοματεπώνυμο: {full_name}
Διεύθυνση: {address}

ΠΡΟΣ: {municipality} – Ταμειακή Υπηρεσία

Παρακαλώ να μου χορηγήσετε βεβαίωση ότι δεν έχω ληξιπρόθεσμες οφειλές προς τον Δήμο.
Χρήση της βεβαίωσης:
{subject}

Η αίτηση υποβάλλεται μέσω του {kep}, με τηλεδιάσκεψη (myKEPlive).

Ημερομηνία: {date}

Ο/Η αιτών/ούσα
{full_name}
""",
    ),
}


def load_demo_white_application_templates() -> int:
    """Create (or refresh) the demo templates; the number of templates created. Nothing happens
    when the demo home municipality is not loaded; a service not loaded gets no template."""
    municipality = Municipality.objects.filter(code=DEMO_HOME_MUNICIPALITY).first()
    if municipality is None:
        return 0
    _template, created = WhiteApplicationTemplate.objects.update_or_create(
        municipality=municipality,
        service=None,
        is_active=True,
        defaults={"title": DEMO_TITLE, "body": DEMO_BODY},
    )
    count = int(created)
    for slug, (title, body) in SERVICE_TEMPLATES.items():
        service = Service.objects.filter(
            municipality=municipality, code=f"{municipality.code}-{slug}"
        ).first()
        if service is None:
            continue
        _template, created = WhiteApplicationTemplate.objects.update_or_create(
            municipality=municipality,
            service=service,
            is_active=True,
            defaults={"title": title, "body": body},
        )
        count += int(created)
    return count
