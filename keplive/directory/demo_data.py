"""The demo directory as plain data: the municipalities named in the seed documents, their KEPs.

Pure data and a name normaliser, no database. ``keplive.directory.demo`` turns it into rows.

The municipality lists are transcribed as the seeds spell them (``SEED_LISTS``); the directory
uses each municipality's official name (``canonical_municipality_name``), so the seed's
abbreviations and typos ("Αργινίου", "Γ. Καραισκάκη", "Ηρακλείου(Αττικής)") resolve to one
municipality each. Addresses, telephone numbers and e-mail addresses are fictitious: they are
plausible for the area but belong to no real office, and every e-mail address sits under
``DEMO_EMAIL_DOMAIN``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEMO_EMAIL_DOMAIN = "demo.keplive.gr"

# --- The lists exactly as the seeds give them (seeds/003 and seeds/001) -------------------------

# The annex of decision 20530 ΕΞ 2020 (ΦΕΚ Β' 3030/21.7.2020): the 38 launch municipalities.
ANNEX_2020_07_21 = (
    "Δήμος Αχαρνών",
    "Δήμος Δάφνης – Υμηττού",
    "Δήμος Διονύσου",
    "Δήμος Ελληνικού",
    "Δήμος Ζωγράφου",
    "Δήμος Ιλίου",
    "Δήμος Καβάλας",
    "Δήμος Κιλκίς",
    "Δήμος Αμπελοκήπων Μενεμένης",
    "Δήμος Πυλαίας – Χορτιάτη",
    "Δήμος Νεάπολης – Συκέων",
    "Δήμος Κορυδαλλού",
    "Δήμος Ναυπλιέων",
    "Δήμος Νέας Σμύρνης",
    "Δήμος Χαλκιδαιών",
    "Δήμος Χίου",
    "Δήμος Ωρωπού",
    "Δήμος Βάρης- Βούλας – Βουλιαγμένης",
    "Δήμος Αρχαίας Ολυμπίας",
    "Δήμος Τρικκαίων",
    "Δήμος Ζακύνθου",
    "Δήμος Βριλησσιών",
    "Δήμος Αγίων Αναργύρων",
    "Δήμος Άρτας",
    "Δήμος Ηρακλείου Κρήτης",
    "Δήμος Αργιθέας",
    "Δήμος Χανίων",
    "Δήμος Δράμας",
    "Δήμος Κορδελιού – Ευόσμου",
    "Δήμος Παλαιού Φαλήρου",
    "Δήμος Φιλοθέης – Ψυχικού",
    "Δήμος Κηφισιάς",
    "Δήμος Αργοστολίου",
    "Δήμος Ξυλοκάστρου",
    "Δήμος Ρόδου",
    "Δήμος Ευρώτα",
    "Δήμος Καλλιθέας",
    "Δήμος Μεγίστης",
)

# The announcement of 10.11.2020: 34 municipalities join.
JOINED_2020_11_10 = (
    "Αθηναίων",
    "Περιστερίου",
    "Γλυφάδας",
    "Ηλιούπολης",
    "Καισαριανής",
    "Λυκόβρυσης-Πεύκης",
    "Ηρακλείου(Αττικής)",
    "Αγίας Βαρβάρας",
    "Ελευσίνας",
    "Μάνδρας-Ειδυλλίας",
    "Λαυρεωτικής",
    "Αργινίου",
    "Τρίπολης",
    "Καστοριάς",
    "Έδεσσας",
    "Ορεστιάδας",
    "Μακρακώμης",
    "Ναυπακτίας",
    "Παλαμά",
    "Θάσου",
    "Τήνου",
    "Πάρου",
    "Κεντρικής Κέρκυρας",
    "Μίνωα Πεδιάδας",
    "Πύλης",
    "Βοΐου",
    "Λευκάδας",
    "Ηράκλειας",
    "Θέρμης",
    "Παύλου Μελά",
    "Βόλβης",
    "Πωγωνίου",
    "Σύμης",
    "Ψαρών",
)

# The announcement of 23.11.2020 (it says 41; it names 40).
JOINED_2020_11_23 = (
    "Αγίας Παρασκευής",
    "Ακτίου Βόνιτσας",
    "Αλίμου",
    "Αμφιλοχίας",
    "Αρριανών",
    "Βελβεντού",
    "Βόρειας Κυνουρίας",
    "Γ. Καραισκάκη",
    "Διδυμότειχου",
    "Δωδώνης",
    "Εμμανουήλ Παππά",
    "Εορδαίας",
    "Ερέτριας",
    "Ζίτσας",
    "Ηγουμενίτσας",
    "Καλαβρύτων",
    "Καλαμαριάς",
    "Καλαμάτας",
    "Κατερίνης",
    "Κοζάνης",
    "Λαμιέων",
    "Λαρισαίων",
    "Λεβαδέων",
    "Λοκρών",
    "Μαρκοπούλου",
    "Μεταμόρφωσης",
    "Μονεμβασιάς",
    "Νέας Ζίχνης",
    "Νέστου",
    "Νικ. Σκουφά",
    "Νότιας Κέρκυρας",
    "Νοτίου Πηλίου",
    "Ξάνθης",
    "Ξηρομέρου",
    "Παιονίας",
    "Πετρούπολης",
    "Ραφήνας – Πικερμίου",
    "Σιντικής",
    "Στυλίδας",
    "Ύδρας",
)

# The citizens' manual (seeds/001) repeats the annex with a few spellings of its own.
MANUAL_2020_07 = (
    "Δήμος Αγίων Αναργύρων",
    "Δήμος Αμπελοκήπων Μενεμένης",
    "Δήμος Αργιθέας",
    "Δήμος Αργοστολίου",
    "Δήμος Άρτας",
    "Δήμος Αρχαίας Ολυμπίας",
    "Δήμος Αχαρνών",
    "Δήμος Βάρης- Βούλας – Βουλιαγμένης",
    "Δήμος Βριλησίων",
    "Δήμος Δάφνης – Υμηττού",
    "Δήμος Διονύσου",
    "Δήμος Δράμας",
    "Δήμος Ελληνικού",
    "Δήμος Ευρώτα",
    "Δήμος Ζακύνθου",
    "Δήμος Ζωγράφου",
    "Δήμος Ηρακλείου Κρήτης",
    "Δήμος Ιλίου",
    "Δήμος Καβάλας",
    "Δήμος Καλλιθέας",
    "Δήμος Κηφισιάς",
    "Δήμος Κιλκίς",
    "Δήμος Κορδελιού – Ευόσμου",
    "Δήμος Κορυδαλλού",
    "Δήμος Μεγίστης",
    "Δήμος Ναυπλιέων",
    "Δήμος Νεάπολης – Συκεών",
    "Δήμος Νέας Σμύρνης",
    "Δήμος Ξυλοκάστρου",
    "Δήμος Παλαιού Φαλήρου",
    "Δήμος Πυλαίας – Χορτιάτη",
    "Δήμος Ρόδου",
    "Δήμος Τρικκαίων",
    "Δήμος Φιλοθέης – Ψυχικού",
    "Δήμος Χαλκιδαίων",
    "Δήμος Χανίων",
    "Δήμος Χίου",
    "Δήμος Ωρωπού",
)

# Each list with the date its municipalities joined: the decision's publication, then the two
# announcements.
SEED_LISTS: tuple[tuple[dt.date, tuple[str, ...]], ...] = (
    (dt.date(2020, 7, 21), ANNEX_2020_07_21),
    (dt.date(2020, 11, 10), JOINED_2020_11_10),
    (dt.date(2020, 11, 23), JOINED_2020_11_23),
)

# Seed spellings (after dash and bracket clean-up) → the municipality's official genitive name.
NAME_ALIASES = {
    "Ελληνικού": "Ελληνικού – Αργυρούπολης",
    "Αμπελοκήπων Μενεμένης": "Αμπελοκήπων – Μενεμένης",
    "Νεάπολης – Συκέων": "Νεάπολης – Συκεών",
    "Χαλκιδαιών": "Χαλκιδέων",
    "Χαλκιδαίων": "Χαλκιδέων",
    "Βριλησσιών": "Βριλησσίων",
    "Βριλησίων": "Βριλησσίων",
    "Αγίων Αναργύρων": "Αγίων Αναργύρων – Καματερού",
    "Άρτας": "Αρταίων",
    "Ξυλοκάστρου": "Ξυλοκάστρου – Ευρωστίνης",
    "Αργινίου": "Αγρινίου",
    "Κεντρικής Κέρκυρας": "Κεντρικής Κέρκυρας και Διαποντίων Νήσων",
    "Μίνωα Πεδιάδας": "Μινώα Πεδιάδας",
    "Ακτίου Βόνιτσας": "Ακτίου – Βόνιτσας",
    "Γ. Καραισκάκη": "Γεωργίου Καραϊσκάκη",
    "Διδυμότειχου": "Διδυμοτείχου",
    "Μαρκοπούλου": "Μαρκοπούλου Μεσογαίας",
    "Μονεμβασιάς": "Μονεμβασίας",
    "Νικ. Σκουφά": "Νικολάου Σκουφά",
}

_DASH = re.compile(r"\s*[-–—]\s*")
_SPACE = re.compile(r"\s+")


def canonical_municipality_name(raw: str) -> str:
    """The official genitive name ("Αθηναίων") of a municipality as a seed or a person wrote it."""
    name = raw.strip()
    name = name.removeprefix("Δήμος ").strip()
    name = name.replace("(", " ").replace(")", " ")
    name = _DASH.sub(" – ", name)
    name = _SPACE.sub(" ", name).strip()
    return NAME_ALIASES.get(name, name)


def municipality_name_el(genitive: str) -> str:
    """The stored Greek name: "Δήμος Αθηναίων"."""
    return f"Δήμος {genitive}"


# --- One row per municipality ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    code: str
    genitive: str  # official genitive name, as canonical_municipality_name gives it
    short_en: str  # "Athens"; the English name is "Municipality of Athens"
    region: str
    city: str  # seat of the main KEP
    postal_code: str
    area_code: str  # landline prefix: "210", "2310", "26410"


ATTICA = "Αττική"
C_MACEDONIA = "Κεντρική Μακεδονία"
E_MACEDONIA_THRACE = "Ανατολική Μακεδονία και Θράκη"
W_MACEDONIA = "Δυτική Μακεδονία"
EPIRUS = "Ήπειρος"
THESSALY = "Θεσσαλία"
C_GREECE = "Στερεά Ελλάδα"
IONIAN = "Ιόνια Νησιά"
W_GREECE = "Δυτική Ελλάδα"
PELOPONNESE = "Πελοπόννησος"
N_AEGEAN = "Βόρειο Αιγαίο"
S_AEGEAN = "Νότιο Αιγαίο"
CRETE = "Κρήτη"

_M = MunicipalityRow
MUNICIPALITIES: tuple[MunicipalityRow, ...] = (
    # The annex (21.7.2020)
    _M("acharnon", "Αχαρνών", "Acharnes", ATTICA, "Αχαρνές", "13671", "210"),
    _M("dafnis-ymittou", "Δάφνης – Υμηττού", "Dafni–Ymittos", ATTICA, "Δάφνη", "17237", "210"),
    _M("dionysou", "Διονύσου", "Dionysos", ATTICA, "Άγιος Στέφανος", "14565", "210"),
    _M(
        "ellinikou-argyroupolis",
        "Ελληνικού – Αργυρούπολης",
        "Elliniko–Argyroupoli",
        ATTICA,
        "Αργυρούπολη",
        "16452",
        "210",
    ),
    _M("zografou", "Ζωγράφου", "Zografou", ATTICA, "Ζωγράφου", "15772", "210"),
    _M("iliou", "Ιλίου", "Ilion", ATTICA, "Ίλιον", "13122", "210"),
    _M("kavalas", "Καβάλας", "Kavala", E_MACEDONIA_THRACE, "Καβάλα", "65302", "2510"),
    _M("kilkis", "Κιλκίς", "Kilkis", C_MACEDONIA, "Κιλκίς", "61100", "23410"),
    _M(
        "ampelokipon-menemenis",
        "Αμπελοκήπων – Μενεμένης",
        "Ampelokipoi–Menemeni",
        C_MACEDONIA,
        "Αμπελόκηποι",
        "56123",
        "2310",
    ),
    _M(
        "pylaias-chortiati",
        "Πυλαίας – Χορτιάτη",
        "Pylaia–Chortiatis",
        C_MACEDONIA,
        "Πανόραμα",
        "55236",
        "2310",
    ),
    _M(
        "neapolis-sykeon",
        "Νεάπολης – Συκεών",
        "Neapoli–Sykies",
        C_MACEDONIA,
        "Συκιές",
        "56626",
        "2310",
    ),
    _M("korydallou", "Κορυδαλλού", "Korydallos", ATTICA, "Κορυδαλλός", "18121", "210"),
    _M("nafplieon", "Ναυπλιέων", "Nafplio", PELOPONNESE, "Ναύπλιο", "21100", "27520"),
    _M("neas-smyrnis", "Νέας Σμύρνης", "Nea Smyrni", ATTICA, "Νέα Σμύρνη", "17121", "210"),
    _M("chalkideon", "Χαλκιδέων", "Chalkida", C_GREECE, "Χαλκίδα", "34100", "22210"),
    _M("chiou", "Χίου", "Chios", N_AEGEAN, "Χίος", "82100", "22710"),
    _M("oropou", "Ωρωπού", "Oropos", ATTICA, "Μαρκόπουλο Ωρωπού", "19014", "22950"),
    _M(
        "varis-voulas-vouliagmenis",
        "Βάρης – Βούλας – Βουλιαγμένης",
        "Vari–Voula–Vouliagmeni",
        ATTICA,
        "Βούλα",
        "16673",
        "210",
    ),
    _M(
        "archaias-olympias",
        "Αρχαίας Ολυμπίας",
        "Ancient Olympia",
        W_GREECE,
        "Αρχαία Ολυμπία",
        "27065",
        "26240",
    ),
    _M("trikkaion", "Τρικκαίων", "Trikala", THESSALY, "Τρίκαλα", "42100", "24310"),
    _M("zakynthou", "Ζακύνθου", "Zakynthos", IONIAN, "Ζάκυνθος", "29100", "26950"),
    _M("vrilission", "Βριλησσίων", "Vrilissia", ATTICA, "Βριλήσσια", "15235", "210"),
    _M(
        "agion-anargyron-kamaterou",
        "Αγίων Αναργύρων – Καματερού",
        "Agioi Anargyroi–Kamatero",
        ATTICA,
        "Άγιοι Ανάργυροι",
        "13561",
        "210",
    ),
    _M("artaion", "Αρταίων", "Arta", EPIRUS, "Άρτα", "47100", "26810"),
    _M(
        "irakleiou-kritis",
        "Ηρακλείου Κρήτης",
        "Heraklion (Crete)",
        CRETE,
        "Ηράκλειο",
        "71202",
        "2810",
    ),
    _M("argitheas", "Αργιθέας", "Argithea", THESSALY, "Ανθηρό", "43060", "24450"),
    _M("chanion", "Χανίων", "Chania", CRETE, "Χανιά", "73135", "28210"),
    _M("dramas", "Δράμας", "Drama", E_MACEDONIA_THRACE, "Δράμα", "66100", "25210"),
    _M(
        "kordeliou-evosmou",
        "Κορδελιού – Ευόσμου",
        "Kordelio–Evosmos",
        C_MACEDONIA,
        "Εύοσμος",
        "56224",
        "2310",
    ),
    _M(
        "palaiou-falirou",
        "Παλαιού Φαλήρου",
        "Palaio Faliro",
        ATTICA,
        "Παλαιό Φάληρο",
        "17561",
        "210",
    ),
    _M(
        "filothei-psychikou",
        "Φιλοθέης – Ψυχικού",
        "Filothei–Psychiko",
        ATTICA,
        "Ψυχικό",
        "15451",
        "210",
    ),
    _M("kifisias", "Κηφισιάς", "Kifisia", ATTICA, "Κηφισιά", "14562", "210"),
    _M("argostoliou", "Αργοστολίου", "Argostoli", IONIAN, "Αργοστόλι", "28100", "26710"),
    _M(
        "xylokastrou-evrostinis",
        "Ξυλοκάστρου – Ευρωστίνης",
        "Xylokastro–Evrostini",
        PELOPONNESE,
        "Ξυλόκαστρο",
        "20400",
        "27430",
    ),
    _M("rodou", "Ρόδου", "Rhodes", S_AEGEAN, "Ρόδος", "85100", "22410"),
    _M("evrota", "Ευρώτα", "Evrotas", PELOPONNESE, "Σκάλα Λακωνίας", "23051", "27350"),
    _M("kallitheas", "Καλλιθέας", "Kallithea", ATTICA, "Καλλιθέα", "17671", "210"),
    _M("megistis", "Μεγίστης", "Megisti", S_AEGEAN, "Καστελλόριζο", "85111", "22460"),
    # 10.11.2020
    _M("athinaion", "Αθηναίων", "Athens", ATTICA, "Αθήνα", "10552", "210"),
    _M("peristeriou", "Περιστερίου", "Peristeri", ATTICA, "Περιστέρι", "12131", "210"),
    _M("glyfadas", "Γλυφάδας", "Glyfada", ATTICA, "Γλυφάδα", "16675", "210"),
    _M("ilioupolis", "Ηλιούπολης", "Ilioupoli", ATTICA, "Ηλιούπολη", "16342", "210"),
    _M("kaisarianis", "Καισαριανής", "Kaisariani", ATTICA, "Καισαριανή", "16121", "210"),
    _M(
        "lykovrysis-pefkis",
        "Λυκόβρυσης – Πεύκης",
        "Lykovrysi–Pefki",
        ATTICA,
        "Πεύκη",
        "15121",
        "210",
    ),
    _M(
        "irakleiou-attikis",
        "Ηρακλείου Αττικής",
        "Irakleio (Attica)",
        ATTICA,
        "Ηράκλειο Αττικής",
        "14121",
        "210",
    ),
    _M("agias-varvaras", "Αγίας Βαρβάρας", "Agia Varvara", ATTICA, "Αγία Βαρβάρα", "12351", "210"),
    _M("elefsinas", "Ελευσίνας", "Elefsina", ATTICA, "Ελευσίνα", "19200", "210"),
    _M(
        "mandras-eidyllias",
        "Μάνδρας – Ειδυλλίας",
        "Mandra–Eidyllia",
        ATTICA,
        "Μάνδρα",
        "19600",
        "210",
    ),
    _M("lavreotikis", "Λαυρεωτικής", "Lavreotiki", ATTICA, "Λαύριο", "19500", "22920"),
    _M("agriniou", "Αγρινίου", "Agrinio", W_GREECE, "Αγρίνιο", "30131", "26410"),
    _M("tripolis", "Τρίπολης", "Tripoli", PELOPONNESE, "Τρίπολη", "22131", "2710"),
    _M("kastorias", "Καστοριάς", "Kastoria", W_MACEDONIA, "Καστοριά", "52100", "24670"),
    _M("edessas", "Έδεσσας", "Edessa", C_MACEDONIA, "Έδεσσα", "58200", "23810"),
    _M("orestiadas", "Ορεστιάδας", "Orestiada", E_MACEDONIA_THRACE, "Ορεστιάδα", "68200", "25520"),
    _M("makrakomis", "Μακρακώμης", "Makrakomi", C_GREECE, "Σπερχειάδα", "35003", "22360"),
    _M("nafpaktias", "Ναυπακτίας", "Nafpaktia", W_GREECE, "Ναύπακτος", "30300", "26340"),
    _M("palama", "Παλαμά", "Palamas", THESSALY, "Παλαμάς", "43200", "24440"),
    _M("thasou", "Θάσου", "Thasos", E_MACEDONIA_THRACE, "Λιμένας Θάσου", "64004", "25930"),
    _M("tinou", "Τήνου", "Tinos", S_AEGEAN, "Τήνος", "84200", "22830"),
    _M("parou", "Πάρου", "Paros", S_AEGEAN, "Παροικιά", "84400", "22840"),
    _M(
        "kentrikis-kerkyras",
        "Κεντρικής Κέρκυρας και Διαποντίων Νήσων",
        "Central Corfu and Diapontia Islands",
        IONIAN,
        "Κέρκυρα",
        "49100",
        "26610",
    ),
    _M("minoa-pediadas", "Μινώα Πεδιάδας", "Minoa Pediada", CRETE, "Αρκαλοχώρι", "70300", "28910"),
    _M("pylis", "Πύλης", "Pyli", THESSALY, "Πύλη", "42032", "24340"),
    _M("voiou", "Βοΐου", "Voio", W_MACEDONIA, "Σιάτιστα", "50300", "24650"),
    _M("lefkadas", "Λευκάδας", "Lefkada", IONIAN, "Λευκάδα", "31100", "26450"),
    _M("irakleias", "Ηράκλειας", "Irakleia", C_MACEDONIA, "Ηράκλεια Σερρών", "62400", "23250"),
    _M("thermis", "Θέρμης", "Thermi", C_MACEDONIA, "Θέρμη", "57001", "2310"),
    _M("pavlou-mela", "Παύλου Μελά", "Pavlos Melas", C_MACEDONIA, "Σταυρούπολη", "56430", "2310"),
    _M("volvis", "Βόλβης", "Volvi", C_MACEDONIA, "Σταυρός Θεσσαλονίκης", "57014", "23970"),
    _M("pogoniou", "Πωγωνίου", "Pogoni", EPIRUS, "Δελβινάκι", "44004", "26570"),
    _M("symis", "Σύμης", "Symi", S_AEGEAN, "Σύμη", "85600", "22460"),
    _M("psaron", "Ψαρών", "Psara", N_AEGEAN, "Ψαρά", "82104", "22740"),
    # 23.11.2020
    _M(
        "agias-paraskevis",
        "Αγίας Παρασκευής",
        "Agia Paraskevi",
        ATTICA,
        "Αγία Παρασκευή",
        "15341",
        "210",
    ),
    _M(
        "aktiou-vonitsas",
        "Ακτίου – Βόνιτσας",
        "Aktio–Vonitsa",
        W_GREECE,
        "Βόνιτσα",
        "30002",
        "26430",
    ),
    _M("alimou", "Αλίμου", "Alimos", ATTICA, "Άλιμος", "17455", "210"),
    _M("amfilochias", "Αμφιλοχίας", "Amfilochia", W_GREECE, "Αμφιλοχία", "30500", "26420"),
    _M("arrianon", "Αρριανών", "Arriana", E_MACEDONIA_THRACE, "Φιλλύρα", "69300", "25320"),
    _M("velventou", "Βελβεντού", "Velventos", W_MACEDONIA, "Βελβεντός", "50010", "24640"),
    _M(
        "voreias-kynourias",
        "Βόρειας Κυνουρίας",
        "North Kynouria",
        PELOPONNESE,
        "Άστρος",
        "22001",
        "27550",
    ),
    _M(
        "georgiou-karaiskaki",
        "Γεωργίου Καραϊσκάκη",
        "Georgios Karaiskakis",
        EPIRUS,
        "Άνω Καλεντίνη",
        "47043",
        "26850",
    ),
    _M(
        "didymoteichou",
        "Διδυμοτείχου",
        "Didymoteicho",
        E_MACEDONIA_THRACE,
        "Διδυμότειχο",
        "68300",
        "25530",
    ),
    _M("dodonis", "Δωδώνης", "Dodoni", EPIRUS, "Αγία Κυριακή", "45500", "26510"),
    _M(
        "emmanouil-pappa",
        "Εμμανουήλ Παππά",
        "Emmanouil Pappas",
        C_MACEDONIA,
        "Χρυσό",
        "62047",
        "23210",
    ),
    _M("eordaias", "Εορδαίας", "Eordaia", W_MACEDONIA, "Πτολεμαΐδα", "50200", "24630"),
    _M("eretrias", "Ερέτριας", "Eretria", C_GREECE, "Ερέτρια", "34008", "22290"),
    _M("zitsas", "Ζίτσας", "Zitsa", EPIRUS, "Ελεούσα", "45445", "26510"),
    _M("igoumenitsas", "Ηγουμενίτσας", "Igoumenitsa", EPIRUS, "Ηγουμενίτσα", "46100", "26650"),
    _M("kalavryton", "Καλαβρύτων", "Kalavryta", W_GREECE, "Καλάβρυτα", "25001", "26920"),
    _M("kalamarias", "Καλαμαριάς", "Kalamaria", C_MACEDONIA, "Καλαμαριά", "55132", "2310"),
    _M("kalamatas", "Καλαμάτας", "Kalamata", PELOPONNESE, "Καλαμάτα", "24100", "27210"),
    _M("katerinis", "Κατερίνης", "Katerini", C_MACEDONIA, "Κατερίνη", "60100", "23510"),
    _M("kozanis", "Κοζάνης", "Kozani", W_MACEDONIA, "Κοζάνη", "50100", "24610"),
    _M("lamieon", "Λαμιέων", "Lamia", C_GREECE, "Λαμία", "35100", "22310"),
    _M("larisaion", "Λαρισαίων", "Larissa", THESSALY, "Λάρισα", "41222", "2410"),
    _M("levadeon", "Λεβαδέων", "Livadeia", C_GREECE, "Λιβαδειά", "32100", "22610"),
    _M("lokron", "Λοκρών", "Lokroi", C_GREECE, "Αταλάντη", "35200", "22330"),
    _M(
        "markopoulou-mesogaias",
        "Μαρκοπούλου Μεσογαίας",
        "Markopoulo Mesogaias",
        ATTICA,
        "Μαρκόπουλο Μεσογαίας",
        "19003",
        "22990",
    ),
    _M("metamorfosis", "Μεταμόρφωσης", "Metamorfosi", ATTICA, "Μεταμόρφωση", "14452", "210"),
    _M("monemvasias", "Μονεμβασίας", "Monemvasia", PELOPONNESE, "Μολάοι", "23052", "27320"),
    _M("neas-zichnis", "Νέας Ζίχνης", "Nea Zichni", C_MACEDONIA, "Νέα Ζίχνη", "62042", "23240"),
    _M("nestou", "Νέστου", "Nestos", E_MACEDONIA_THRACE, "Χρυσούπολη", "64200", "25910"),
    _M("nikolaou-skoufa", "Νικολάου Σκουφά", "Nikolaos Skoufas", EPIRUS, "Πέτα", "47200", "26810"),
    _M("notias-kerkyras", "Νότιας Κέρκυρας", "South Corfu", IONIAN, "Λευκίμμη", "49080", "26620"),
    _M("notiou-piliou", "Νοτίου Πηλίου", "South Pelion", THESSALY, "Αργαλαστή", "37006", "24230"),
    _M("xanthis", "Ξάνθης", "Xanthi", E_MACEDONIA_THRACE, "Ξάνθη", "67100", "25410"),
    _M("xiromerou", "Ξηρομέρου", "Xiromero", W_GREECE, "Αστακός", "30006", "26460"),
    _M("paionias", "Παιονίας", "Paionia", C_MACEDONIA, "Πολύκαστρο", "61200", "23430"),
    _M("petroupolis", "Πετρούπολης", "Petroupoli", ATTICA, "Πετρούπολη", "13231", "210"),
    _M(
        "rafinas-pikermiou",
        "Ραφήνας – Πικερμίου",
        "Rafina–Pikermi",
        ATTICA,
        "Ραφήνα",
        "19009",
        "22940",
    ),
    _M("sintikis", "Σιντικής", "Sintiki", C_MACEDONIA, "Σιδηρόκαστρο", "62300", "23230"),
    _M("stylidas", "Στυλίδας", "Stylida", C_GREECE, "Στυλίδα", "35300", "22380"),
    _M("ydras", "Ύδρας", "Hydra", ATTICA, "Ύδρα", "18040", "22980"),
)
del _M


# --- Further KEPs of the larger municipalities: (name_el, name_en, city or None, postal code) ---
# The main KEP of a municipality with branches is "– Κεντρικό"; None keeps the seat's city.
BRANCHES: dict[str, tuple[tuple[str, str, str | None, str], ...]] = {
    "athinaion": (
        ("Κυψέλη", "Kypseli", None, "11361"),
        ("Παγκράτι", "Pangrati", None, "11635"),
        ("Πατήσια", "Patisia", None, "11141"),
        ("Αμπελόκηποι", "Ampelokipoi", None, "11523"),
        ("Σεπόλια", "Sepolia", None, "10443"),
        ("Πετράλωνα", "Petralona", None, "11851"),
        ("Γκύζη", "Gyzi", None, "11475"),
    ),
    "irakleiou-kritis": (
        ("Νέα Αλικαρνασσός", "Nea Alikarnassos", "Νέα Αλικαρνασσός", "71601"),
        ("Μασταμπάς", "Mastabas", None, "71306"),
        ("Γούρνες", "Gournes", "Γούρνες", "71500"),
    ),
    "larisaion": (
        ("Νεάπολη", "Neapoli", None, "41335"),
        ("Φιλιππούπολη", "Filippoupoli", None, "41336"),
        ("Γιάννουλη", "Giannouli", "Γιάννουλη", "41500"),
    ),
    "peristeriou": (
        ("Ανθούπολη", "Anthoupoli", None, "12135"),
        ("Μπουρνάζι", "Bournazi", None, "12133"),
    ),
    "kalamarias": (
        ("Κρήνη", "Krini", None, "55133"),
        ("Καραμπουρνάκι", "Karabournaki", None, "55134"),
    ),
    "lamieon": (
        ("Υπάτη", "Ypati", "Υπάτη", "35016"),
        ("Ροδίτσα", "Roditsa", "Ροδίτσα", "35100"),
    ),
    "kalamatas": (
        ("Αρφαρά", "Arfara", "Αρφαρά", "24002"),
        ("Θουρία", "Thouria", "Θουρία", "24100"),
    ),
    "katerinis": (
        ("Παραλία", "Paralia", "Παραλία Κατερίνης", "60100"),
        ("Κορινός", "Korinos", "Κορινός", "60100"),
    ),
    "kozanis": (
        ("Αιανή", "Aiani", "Αιανή", "50004"),
        ("Κρόκος", "Krokos", "Κρόκος", "50010"),
    ),
    "chanion": (
        ("Σούδα", "Souda", "Σούδα", "73200"),
        ("Νέα Κυδωνία", "Nea Kydonia", "Αγία Μαρίνα", "73014"),
    ),
    "rodou": (
        ("Ιαλυσός", "Ialysos", "Ιαλυσός", "85101"),
        ("Αρχάγγελος", "Archangelos", "Αρχάγγελος", "85102"),
    ),
    "acharnon": (
        ("Θρακομακεδόνες", "Thrakomakedones", "Θρακομακεδόνες", "13676"),
        ("Ολυμπιακό Χωριό", "Olympic Village", None, "13677"),
    ),
    "kallitheas": (
        ("Τζιτζιφιές", "Tzitzifies", None, "17674"),
        ("Χαροκόπου", "Charokopou", None, "17671"),
    ),
    "trikkaion": (
        ("Μεγάλα Καλύβια", "Megala Kalyvia", "Μεγάλα Καλύβια", "42150"),
        ("Πηγή", "Pigi", "Πηγή", "42100"),
    ),
    "kavalas": (
        ("Καλαμίτσα", "Kalamitsa", None, "65404"),
        ("Κρηνίδες", "Krinides", "Κρηνίδες", "64003"),
    ),
    "chalkideon": (
        ("Νέα Αρτάκη", "Nea Artaki", "Νέα Αρτάκη", "34600"),
        ("Ληλάντια", "Lilantia", "Βασιλικό", "34002"),
    ),
    "agriniou": (
        ("Αγγελόκαστρο", "Angelokastro", "Αγγελόκαστρο", "30200"),
        ("Παραβόλα", "Paravola", "Παραβόλα", "30005"),
    ),
    "pavlou-mela": (
        ("Πολίχνη", "Polichni", "Πολίχνη", "56533"),
        ("Ευκαρπία", "Efkarpia", "Ευκαρπία", "56429"),
    ),
    "pylaias-chortiati": (
        ("Πυλαία", "Pylaia", "Πυλαία", "55535"),
        ("Χορτιάτης", "Chortiatis", "Χορτιάτης", "57010"),
    ),
    "kifisias": (("Νέα Ερυθραία", "Nea Erythraia", "Νέα Ερυθραία", "14671"),),
    "glyfadas": (("Τερψιθέα", "Terpsithea", None, "16674"),),
    "ilioupolis": (("Άνω Ηλιούπολη", "Ano Ilioupoli", None, "16343"),),
    "dramas": (("Χωριστή", "Choristi", "Χωριστή", "66100"),),
    "tripolis": (("Τεγέα", "Tegea", "Τεγέα", "22012"),),
    "xanthis": (("Σταυρούπολη", "Stavroupoli", "Σταυρούπολη Ξάνθης", "67062"),),
    "agias-paraskevis": (("Τσακός", "Tsakos", None, "15342"),),
    "zografou": (("Άνω Ιλίσια", "Ano Ilisia", None, "15771"),),
    "iliou": (("Παλατιανή", "Palatiani", None, "13123"),),
    "neas-smyrnis": (("Άγιος Σώστης", "Agios Sostis", None, "17122"),),
    "korydallou": (("Παναγίτσα", "Panagitsa", None, "18122"),),
    "kordeliou-evosmou": (("Κορδελιό", "Kordelio", "Κορδελιό", "56334"),),
    "neapolis-sykeon": (("Νεάπολη", "Neapoli", "Νεάπολη Θεσσαλονίκης", "56728"),),
    "ampelokipon-menemenis": (("Μενεμένη", "Menemeni", "Μενεμένη", "54628"),),
    "thermis": (("Βασιλικά", "Vasilika", "Βασιλικά", "57006"),),
    "edessas": (("Άρνισσα", "Arnissa", "Άρνισσα", "58400"),),
    "kastorias": (("Μεσοποταμία", "Mesopotamia", "Μεσοποταμία", "52050"),),
    "eordaias": (("Περδίκκας", "Perdikkas", "Περδίκκας", "50200"),),
    "zakynthou": (("Λιθακιά", "Lithakia", "Λιθακιά", "29092"),),
    "kentrikis-kerkyras": (("Ποταμός", "Potamos", "Ποταμός Κέρκυρας", "49100"),),
    "chiou": (("Βροντάδος", "Vrontados", "Βροντάδος", "82200"),),
    "artaion": (("Αμμότοπος", "Ammotopos", "Αμμότοπος", "47040"),),
    "nafplieon": (("Τολό", "Tolo", "Τολό", "21056"),),
}

# The nine KEP-EKE (Points of Single Contact): the main KEP of these municipalities.
KEP_EKE_MUNICIPALITIES = (
    "athinaion",
    "peristeriou",
    "kallitheas",
    "kalamarias",
    "larisaion",
    "irakleiou-kritis",
    "kalamatas",
    "lamieon",
    "kozanis",
)

# The KEP the demo employee and supervisor logins work at.
DEMO_HOME_MUNICIPALITY = "athinaion"

# Streets that exist in almost every Greek town; numbers are drawn at random.
STREETS = (
    "Ελευθερίου Βενιζέλου",
    "25ης Μαρτίου",
    "28ης Οκτωβρίου",
    "Εθνικής Αντιστάσεως",
    "Παπαφλέσσα",
    "Κολοκοτρώνη",
    "Καραϊσκάκη",
    "Μιαούλη",
    "Κανάρη",
    "Αγίου Νικολάου",
    "Αγίου Δημητρίου",
    "Ερμού",
    "Μεγάλου Αλεξάνδρου",
    "Κύπρου",
    "Ηρώων Πολυτεχνείου",
    "Δημοκρατίας",
    "Ελευθερίας",
    "Κωνσταντινουπόλεως",
    "Σμύρνης",
    "Μακεδονίας",
    "Θεμιστοκλέους",
    "Περικλέους",
    "Σωκράτους",
    "Ανδρέα Παπανδρέου",
    "Κωνσταντίνου Καραμανλή",
    "Γρηγορίου Λαμπράκη",
    "Αριστοτέλους",
    "Πλαστήρα",
)

# --- Local holidays -----------------------------------------------------------------------------
# The patron saint's day where it is well known; other municipalities draw a common feast from
# FEAST_POOL. These are demo closures: administrators keep the real ones up to date.
PATRON_SAINTS: dict[str, tuple[str, int, int]] = {
    "athinaion": ("Εορτή του πολιούχου Αγίου Διονυσίου του Αρεοπαγίτου", 10, 3),
    "larisaion": ("Εορτή του πολιούχου Αγίου Αχιλλίου", 5, 15),
    "kalamatas": ("Εορτή της Υπαπαντής του Χριστού, πολιούχου της Καλαμάτας", 2, 2),
    "katerinis": ("Εορτή της πολιούχου Αγίας Αικατερίνης", 11, 25),
    "kozanis": ("Εορτή του πολιούχου Αγίου Νικολάου", 12, 6),
    "irakleiou-kritis": ("Εορτή του πολιούχου Αγίου Μηνά", 11, 11),
    "kentrikis-kerkyras": ("Εορτή του πολιούχου Αγίου Σπυρίδωνος", 12, 12),
    "notias-kerkyras": ("Εορτή του Αγίου Σπυρίδωνος", 12, 12),
    "zakynthou": ("Εορτή του πολιούχου Αγίου Διονυσίου", 12, 17),
    "argostoliou": ("Εορτή του Αγίου Γερασίμου", 10, 20),
    "kavalas": ("Εορτή του Αποστόλου Παύλου", 6, 29),
    "chalkideon": ("Εορτή της πολιούχου Αγίας Παρασκευής", 7, 26),
    "agias-paraskevis": ("Εορτή της Αγίας Παρασκευής", 7, 26),
    "agias-varvaras": ("Εορτή της Αγίας Βαρβάρας", 12, 4),
    "agion-anargyron-kamaterou": ("Εορτή των Αγίων Αναργύρων", 7, 1),
    "metamorfosis": ("Εορτή της Μεταμορφώσεως του Σωτήρος", 8, 6),
    "petroupolis": ("Εορτή των Αγίων Αποστόλων Πέτρου και Παύλου", 6, 29),
    "peristeriou": ("Εορτή του πολιούχου Αγίου Αντωνίου", 1, 17),
    "neas-smyrnis": ("Εορτή της Αγίας Φωτεινής", 2, 26),
    "agriniou": ("Εορτή του πολιούχου Αγίου Χριστοφόρου", 5, 9),
    "ilioupolis": ("Εορτή του Προφήτη Ηλία", 7, 20),
    "ydras": ("Εορτή του Αγίου Κωνσταντίνου του Υδραίου", 11, 14),
    "chiou": ("Εορτή του πολιούχου Αγίου Ισιδώρου", 5, 14),
}

FEAST_POOL: tuple[tuple[str, int, int], ...] = (
    ("Εορτή του Αγίου Αθανασίου", 1, 18),
    ("Εορτή του Αγίου Χαραλάμπους", 2, 10),
    ("Εορτή του Αγίου Γεωργίου", 4, 23),
    ("Εορτή του Αγίου Ιωάννου του Προδρόμου", 6, 24),
    ("Εορτή της Αγίας Μαρίνας", 7, 17),
    ("Εορτή του Αγίου Παντελεήμονος", 7, 27),
    ("Εορτή του Αγίου Φανουρίου", 8, 27),
    ("Εορτή του Αγίου Δημητρίου", 10, 26),
    ("Εορτή της Αγίας Αικατερίνης", 11, 25),
    ("Εορτή του Αγίου Νικολάου", 12, 6),
    ("Εορτή του Αγίου Σπυρίδωνος", 12, 12),
)

# --- Names --------------------------------------------------------------------------------------
MALE_FIRST_NAMES = (
    "Γεώργιος",
    "Ιωάννης",
    "Κωνσταντίνος",
    "Δημήτριος",
    "Νικόλαος",
    "Παναγιώτης",
    "Βασίλειος",
    "Χρήστος",
    "Αθανάσιος",
    "Μιχαήλ",
    "Ευάγγελος",
    "Σπυρίδων",
    "Αντώνιος",
    "Αναστάσιος",
    "Θεόδωρος",
    "Ανδρέας",
    "Χαράλαμπος",
    "Αλέξανδρος",
    "Εμμανουήλ",
    "Ηλίας",
    "Σταύρος",
    "Πέτρος",
    "Στυλιανός",
    "Αριστείδης",
    "Θωμάς",
    "Λεωνίδας",
    "Άγγελος",
    "Φώτιος",
)

FEMALE_FIRST_NAMES = (
    "Μαρία",
    "Ελένη",
    "Αικατερίνη",
    "Βασιλική",
    "Σοφία",
    "Αγγελική",
    "Ευαγγελία",
    "Δήμητρα",
    "Κωνσταντίνα",
    "Γεωργία",
    "Παναγιώτα",
    "Ιωάννα",
    "Χριστίνα",
    "Αναστασία",
    "Ειρήνη",
    "Δέσποινα",
    "Θεοδώρα",
    "Αθηνά",
    "Φωτεινή",
    "Παρασκευή",
    "Αλεξάνδρα",
    "Ευτυχία",
    "Σταυρούλα",
    "Χρυσούλα",
    "Νικολέτα",
    "Μαργαρίτα",
    "Ζωή",
    "Αργυρώ",
)

# (male form, female form): Greek surnames take the genitive for women.
SURNAMES = (
    ("Παπαδόπουλος", "Παπαδοπούλου"),
    ("Παπαγεωργίου", "Παπαγεωργίου"),
    ("Οικονόμου", "Οικονόμου"),
    ("Γεωργίου", "Γεωργίου"),
    ("Νικολάου", "Νικολάου"),
    ("Βασιλείου", "Βασιλείου"),
    ("Ιωάννου", "Ιωάννου"),
    ("Δημητρίου", "Δημητρίου"),
    ("Κωνσταντινίδης", "Κωνσταντινίδου"),
    ("Καραγιάννης", "Καραγιάννη"),
    ("Μαυρίδης", "Μαυρίδου"),
    ("Αλεξίου", "Αλεξίου"),
    ("Παππάς", "Παππά"),
    ("Αντωνίου", "Αντωνίου"),
    ("Χατζής", "Χατζή"),
    ("Σταθόπουλος", "Σταθοπούλου"),
    ("Μιχαηλίδης", "Μιχαηλίδου"),
    ("Ζαχαρίου", "Ζαχαρίου"),
    ("Αθανασίου", "Αθανασίου"),
    ("Κυριακίδης", "Κυριακίδου"),
    ("Λαμπρόπουλος", "Λαμπροπούλου"),
    ("Πετρόπουλος", "Πετροπούλου"),
    ("Μακρής", "Μακρή"),
    ("Σαββίδης", "Σαββίδου"),
    ("Τσακίρης", "Τσακίρη"),
    ("Φωτόπουλος", "Φωτοπούλου"),
    ("Χριστοδούλου", "Χριστοδούλου"),
    ("Ευαγγέλου", "Ευαγγέλου"),
    ("Παναγιωτόπουλος", "Παναγιωτοπούλου"),
    ("Μπακάλης", "Μπακάλη"),
    ("Καλογεράκης", "Καλογεράκη"),
    ("Δασκαλάκης", "Δασκαλάκη"),
    ("Ζερβός", "Ζερβού"),
    ("Βλάχος", "Βλάχου"),
    ("Γιαννόπουλος", "Γιαννοπούλου"),
    ("Σπυρόπουλος", "Σπυροπούλου"),
    ("Ξενάκης", "Ξενάκη"),
    ("Ηλιόπουλος", "Ηλιοπούλου"),
    ("Μαργαρίτης", "Μαργαρίτη"),
    ("Τζαννετάκης", "Τζαννετάκη"),
    ("Αναστασίου", "Αναστασίου"),
    ("Παπανικολάου", "Παπανικολάου"),
    ("Θεοδωρίδης", "Θεοδωρίδου"),
    ("Λιάπης", "Λιάπη"),
    ("Σιδηρόπουλος", "Σιδηροπούλου"),
    ("Κωστόπουλος", "Κωστοπούλου"),
    ("Ρήγας", "Ρήγα"),
    ("Καρράς", "Καρρά"),
    ("Τσολάκης", "Τσολάκη"),
    ("Αργυρίου", "Αργυρίου"),
    ("Μανωλάκης", "Μανωλάκη"),
    ("Σταυρόπουλος", "Σταυροπούλου"),
    ("Κουτσούκος", "Κουτσούκου"),
    ("Πολυχρόνης", "Πολυχρόνη"),
    ("Χαραλαμπίδης", "Χαραλαμπίδου"),
    ("Δουκάκης", "Δουκάκη"),
    ("Μελετίου", "Μελετίου"),
    ("Φραγκιαδάκης", "Φραγκιαδάκη"),
    ("Ντόκος", "Ντόκου"),
    ("Ραφαηλίδης", "Ραφαηλίδου"),
)

# --- Demo citizens (no password: citizens log in through the TAXISnet stand-in) ---------------
# (username, first 8 digits of the tax number, first name, last name, father's name); the ninth
# digit is the checksum, computed by the loader.
DEMO_CITIZENS = (
    ("demo.citizen1", "12345678", "Μαρία", "Παπαδοπούλου", "Γεώργιος"),
    ("demo.citizen2", "02468024", "Νικόλαος", "Οικονόμου", "Ιωάννης"),
)

DEMO_PASSWORD = "keplive-demo"  # noqa: S105 - a published demo password, refused in production
DEMO_EMPLOYEE = "demo.employee"
DEMO_SUPERVISOR = "demo.supervisor"
DEMO_ADMIN = "demo.admin"
DEMO_AUDITOR = "demo.auditor"
# The demo staff's second factor: one published TOTP key each (hex, 20 bytes), so that the code
# can be shown at /dev/codes/ and typed by tests. Refused in production with the password.
DEMO_TOTP_KEYS = {
    DEMO_EMPLOYEE: "6b65706c6976652d64656d6f2d656d706c6f7965",
    DEMO_SUPERVISOR: "6b65706c6976652d64656d6f2d7375706572766973",
    DEMO_ADMIN: "6b65706c6976652d64656d6f2d61646d696e2d2d2d",
    DEMO_AUDITOR: "6b65706c6976652d64656d6f2d61756469746f722d",
}
