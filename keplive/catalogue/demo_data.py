"""The service catalogue content as plain data: real KEP procedure names, faithful English titles.

- ``PROCEDURES``: the 52 procedures of categories 1 and 3 (no physical presence, no signature).
- ``IN_PERSON_PROCEDURES``: real KEP procedures that cannot be served by video call; shown with
  what to do instead, never bookable (C11, seeds/004).
- ``BUSINESS_CERTIFICATES`` and ``BUSINESS_LICENSING_INFO``: category 2, KEP-EKE only.
- ``MUNICIPAL_POOL``: municipal services (category 4); each municipality offers five of them.

Descriptions and document lists are summaries for the demo; the authoritative ones live in the
national register of procedures (ΕΜΔΔ / Mitos) and change over time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceRow:
    slug: str
    title_el: str
    title_en: str
    description_el: str
    description_en: str
    documents_el: tuple[str, ...] = ()
    documents_en: tuple[str, ...] = ()
    alternative_el: str = ""
    alternative_en: str = ""


ID_EL = "Δελτίο αστυνομικής ταυτότητας ή διαβατήριο (επίδειξη στην κάμερα)"
ID_EN = "Identity card or passport (shown on camera)"
AUTH_EL = "Εξουσιοδότηση, αν η αίτηση υποβάλλεται για λογαριασμό άλλου προσώπου"
AUTH_EN = "An authorisation, if the application is made on behalf of someone else"
AMKA_EL = "ΑΜΚΑ του αιτούντος"
AMKA_EN = "The applicant's social security number (AMKA)"
AFM_EL = "ΑΦΜ του αιτούντος"
AFM_EN = "The applicant's tax number (AFM)"
IBAN_EL = "IBAN λογαριασμού όπου ο αιτών είναι δικαιούχος"
IBAN_EN = "IBAN of a bank account held by the applicant"

_S = ServiceRow

# --- Categories 1 and 3: the 52 procedures ------------------------------------------------------
PROCEDURES: tuple[ServiceRow, ...] = (
    # Civil registry and municipal roll
    _S(
        "family-status-certificate",
        "Έκδοση πιστοποιητικού οικογενειακής κατάστασης",
        "Issue of a family status certificate",
        "Πιστοποιητικό από το Μητρώο Πολιτών με τα μέλη της οικογενειακής μερίδας.",
        "Certificate from the Registry of Citizens listing the members of the family record.",
        (ID_EL, "Δήμος εγγραφής και αριθμός οικογενειακής μερίδας, αν είναι γνωστά", AUTH_EL),
        (ID_EN, "Municipality of registration and family record number, if known", AUTH_EN),
    ),
    _S(
        "birth-certificate",
        "Έκδοση πιστοποιητικού γέννησης",
        "Issue of a birth certificate",
        "Πιστοποιητικό γέννησης από το Μητρώο Πολιτών.",
        "Birth certificate from the Registry of Citizens.",
        (ID_EL, "Ονοματεπώνυμο, ημερομηνία και τόπος γέννησης του προσώπου", AUTH_EL),
        (ID_EN, "Full name, date and place of birth of the person", AUTH_EN),
    ),
    _S(
        "birth-registration-copy",
        "Χορήγηση ληξιαρχικής πράξης γέννησης",
        "Copy of a birth registration record",
        "Αντίγραφο ή απόσπασμα της ληξιαρχικής πράξης γέννησης.",
        "Copy or extract of the birth registration record.",
        (ID_EL, "Ληξιαρχείο και έτος σύνταξης της πράξης, αν είναι γνωστά"),
        (ID_EN, "Registry office and year of the record, if known"),
    ),
    _S(
        "marriage-registration-copy",
        "Χορήγηση ληξιαρχικής πράξης γάμου",
        "Copy of a marriage registration record",
        "Αντίγραφο ή απόσπασμα της ληξιαρχικής πράξης γάμου.",
        "Copy or extract of the marriage registration record.",
        (ID_EL, "Ονοματεπώνυμα των συζύγων, ημερομηνία και τόπος του γάμου"),
        (ID_EN, "Names of the spouses, date and place of the marriage"),
    ),
    _S(
        "death-registration-copy",
        "Χορήγηση ληξιαρχικής πράξης θανάτου",
        "Copy of a death registration record",
        "Αντίγραφο ή απόσπασμα της ληξιαρχικής πράξης θανάτου.",
        "Copy or extract of the death registration record.",
        (ID_EL, "Στοιχεία του θανόντος, ημερομηνία και τόπος θανάτου"),
        (ID_EN, "Details of the deceased, date and place of death"),
    ),
    _S(
        "civil-partnership-registration-copy",
        "Χορήγηση ληξιαρχικής πράξης συμφώνου συμβίωσης",
        "Copy of a civil partnership registration record",
        "Αντίγραφο της ληξιαρχικής πράξης σύναψης ή λύσης συμφώνου συμβίωσης.",
        "Copy of the record of a civil partnership or of its dissolution.",
        (ID_EL, "Στοιχεία των συμβαλλομένων και ημερομηνία σύναψης"),
        (ID_EN, "Details of the partners and date of the partnership"),
    ),
    _S(
        "next-of-kin-certificate",
        "Έκδοση πιστοποιητικού εγγυτέρων συγγενών",
        "Issue of a certificate of next of kin",
        "Πιστοποιητικό με τους πλησιέστερους συγγενείς, συνήθως για κληρονομικές υποθέσεις.",
        "Certificate naming the closest relatives, usually for inheritance matters.",
        (ID_EL, "Ληξιαρχική πράξη θανάτου, αν αφορά θανόντα", "Σκοπός χρήσης του πιστοποιητικού"),
        (ID_EN, "Death registration record, if it concerns a deceased person", "Purpose of use"),
    ),
    _S(
        "citizenship-certificate",
        "Έκδοση πιστοποιητικού ιθαγένειας",
        "Issue of a certificate of Greek citizenship",
        "Βεβαιώνει την ελληνική ιθαγένεια και τον τρόπο κτήσης της.",
        "Certifies Greek citizenship and how it was acquired.",
        (ID_EL, "Δήμος εγγραφής και αριθμός οικογενειακής μερίδας"),
        (ID_EN, "Municipality of registration and family record number"),
    ),
    _S(
        "male-register-certificate",
        "Έκδοση πιστοποιητικού εγγραφής στο Μητρώο Αρρένων",
        "Issue of a certificate of entry in the Male Register",
        "Πιστοποιητικό εγγραφής στο Μητρώο Αρρένων του Δήμου.",
        "Certificate of entry in the municipality's Male Register.",
        (ID_EL, "Δήμος εγγραφής"),
        (ID_EN, "Municipality of registration"),
    ),
    _S(
        "multilingual-standard-form",
        "Έκδοση πολύγλωσσου τυποποιημένου εντύπου (Κανονισμός (ΕΕ) 2016/1191)",
        "Issue of a multilingual standard form (Regulation (EU) 2016/1191)",
        "Πολύγλωσσο έντυπο που συνοδεύει δημόσιο έγγραφο για χρήση σε άλλο κράτος μέλος της ΕΕ.",
        "Multilingual form attached to a public document for use in another EU member state.",
        (ID_EL, "Το δημόσιο έγγραφο που θα συνοδεύσει (π.χ. πιστοποιητικό γέννησης)"),
        (ID_EN, "The public document it accompanies (e.g. a birth certificate)"),
    ),
    _S(
        "municipal-registration-transfer",
        "Αίτηση μεταδημότευσης",
        "Application to transfer one's municipal registration",
        "Μεταφορά της εγγραφής στο δημοτολόγιο άλλου Δήμου.",
        "Transfer of one's registration to the roll of another municipality.",
        (ID_EL, "Βεβαίωση μόνιμης κατοικίας δύο ετών στον νέο Δήμο ή άλλο αποδεικτικό"),
        (ID_EN, "Proof of two years' permanent residence in the new municipality, or other proof"),
    ),
    _S(
        "foreign-birth-transcription",
        "Μεταγραφή ληξιαρχικής πράξης γέννησης που συντάχθηκε στην αλλοδαπή",
        "Transcription of a birth registered abroad",
        "Καταχώριση στο Ειδικό Ληξιαρχείο γέννησης Έλληνα πολίτη που δηλώθηκε στο εξωτερικό.",
        "Entry in the Special Registry of a Greek citizen's birth registered abroad.",
        (
            ID_EL,
            "Ληξιαρχική πράξη γέννησης της αλλοδαπής με σφραγίδα της Χάγης",
            "Επίσημη μετάφραση",
        ),
        (ID_EN, "Foreign birth record with an apostille", "Official translation"),
    ),
    _S(
        "foreign-marriage-transcription",
        "Μεταγραφή ληξιαρχικής πράξης γάμου που τελέστηκε στην αλλοδαπή",
        "Transcription of a marriage celebrated abroad",
        "Καταχώριση στο Ειδικό Ληξιαρχείο γάμου Έλληνα πολίτη που τελέστηκε στο εξωτερικό.",
        "Entry in the Special Registry of a Greek citizen's marriage celebrated abroad.",
        (ID_EL, "Ληξιαρχική πράξη γάμου της αλλοδαπής με σφραγίδα της Χάγης", "Επίσημη μετάφραση"),
        (ID_EN, "Foreign marriage record with an apostille", "Official translation"),
    ),
    _S(
        "electoral-roll-certificate",
        "Βεβαίωση εγγραφής στους εκλογικούς καταλόγους",
        "Certificate of entry in the electoral rolls",
        "Βεβαιώνει την εγγραφή και το εκλογικό διαμέρισμα του πολίτη.",
        "Certifies the citizen's entry in the electoral rolls and the polling district.",
        (ID_EL,),
        (ID_EN,),
    ),
    # Justice
    _S(
        "criminal-record-general",
        "Έκδοση αντιγράφου ποινικού μητρώου γενικής χρήσης",
        "Issue of a criminal record extract for general use",
        "Αντίγραφο ποινικού μητρώου για κάθε νόμιμη χρήση (π.χ. διορισμός, άδεια).",
        "Criminal record extract for any lawful use (e.g. appointment, licence).",
        (ID_EL, "Πατρώνυμο και μητρώνυμο, τόπος γέννησης"),
        (ID_EN, "Father's and mother's names, place of birth"),
    ),
    _S(
        "no-will-published-certificate",
        "Έκδοση πιστοποιητικού περί μη δημοσίευσης διαθήκης",
        "Certificate that no will has been published",
        "Από το Ειρηνοδικείο ή Πρωτοδικείο, για την αποδοχή κληρονομιάς.",
        "From the magistrates' or first-instance court, for accepting an inheritance.",
        (ID_EL, "Ληξιαρχική πράξη θανάτου", "Τελευταία κατοικία του θανόντος"),
        (ID_EN, "Death registration record", "Last residence of the deceased"),
    ),
    _S(
        "inheritance-not-renounced-certificate",
        "Έκδοση πιστοποιητικού περί μη αποποίησης κληρονομίας",
        "Certificate that an inheritance has not been renounced",
        "Από το Ειρηνοδικείο ή Πρωτοδικείο της τελευταίας κατοικίας του θανόντος.",
        "From the court of the deceased's last residence.",
        (ID_EL, "Ληξιαρχική πράξη θανάτου", "Πιστοποιητικό εγγυτέρων συγγενών"),
        (ID_EN, "Death registration record", "Certificate of next of kin"),
    ),
    _S(
        "will-not-contested-certificate",
        "Έκδοση πιστοποιητικού περί μη προσβολής διαθήκης",
        "Certificate that a will has not been contested",
        "Βεβαιώνει ότι δεν έχει ασκηθεί αγωγή κατά της διαθήκης.",
        "Certifies that no action has been brought against the will.",
        (ID_EL, "Στοιχεία δημοσίευσης της διαθήκης"),
        (ID_EN, "Details of the will's publication"),
    ),
    # Military service
    _S(
        "military-status-certificate-a",
        "Έκδοση πιστοποιητικού στρατολογικής κατάστασης τύπου Α",
        "Issue of a military status certificate, type A",
        "Πιστοποιητικό στρατολογικής κατάστασης για κάθε νόμιμη χρήση.",
        "Military status certificate for any lawful use.",
        (ID_EL,),
        (ID_EN,),
    ),
    _S(
        "military-status-certificate-b",
        "Έκδοση πιστοποιητικού στρατολογικής κατάστασης τύπου Β",
        "Issue of a military status certificate, type B",
        "Πιστοποιητικό στρατολογικής κατάστασης για την έκδοση διαβατηρίου ή διορισμό.",
        "Military status certificate for a passport or an appointment.",
        (ID_EL,),
        (ID_EN,),
    ),
    # Social insurance (e-EFKA)
    _S(
        "insurance-clearance-certificate",
        "Βεβαίωση ασφαλιστικής ενημερότητας",
        "Social-security clearance certificate",
        "Βεβαιώνει ότι δεν υπάρχουν ληξιπρόθεσμες οφειλές προς τον e-ΕΦΚΑ.",
        "Certifies that no overdue contributions are owed to e-EFKA.",
        (ID_EL, AMKA_EL, "Σκοπός έκδοσης (π.χ. μεταβίβαση ακινήτου, είσπραξη)"),
        (ID_EN, AMKA_EN, "Purpose (e.g. property transfer, collecting a payment)"),
    ),
    _S(
        "ehic",
        "Έκδοση Ευρωπαϊκής Κάρτας Ασφάλισης Ασθένειας (ΕΚΑΑ)",
        "Issue of a European Health Insurance Card (EHIC)",
        "Κάρτα για ιατροφαρμακευτική περίθαλψη κατά την προσωρινή διαμονή σε χώρα της ΕΕ.",
        "Card for healthcare during a temporary stay in another EU country.",
        (ID_EL, AMKA_EL, "Διεύθυνση αποστολής της κάρτας"),
        (ID_EN, AMKA_EN, "Postal address for the card"),
    ),
    _S(
        "amka-assignment",
        "Απόδοση Αριθμού Μητρώου Κοινωνικής Ασφάλισης (ΑΜΚΑ)",
        "Assignment of a social security number (AMKA)",
        "Απόδοση ΑΜΚΑ σε όποιον δεν έχει ήδη αριθμό.",
        "Assignment of an AMKA to a person who has none.",
        (ID_EL, AFM_EL, "Πιστοποιητικό γέννησης ή οικογενειακής κατάστασης"),
        (ID_EN, AFM_EN, "Birth or family status certificate"),
    ),
    _S(
        "amka-certificate",
        "Έκδοση βεβαίωσης ΑΜΚΑ",
        "Issue of an AMKA certificate",
        "Βεβαίωση με τον ΑΜΚΑ και τα στοιχεία του ασφαλισμένου.",
        "Certificate showing the AMKA and the insured person's details.",
        (ID_EL,),
        (ID_EN,),
    ),
    _S(
        "insurance-periods-certificate",
        "Έκδοση βεβαίωσης χρόνου ασφάλισης",
        "Certificate of insurance periods",
        "Βεβαίωση των ημερών ασφάλισης ανά φορέα και έτος.",
        "Statement of insured days by fund and year.",
        (ID_EL, AMKA_EL),
        (ID_EN, AMKA_EN),
    ),
    _S(
        "insurance-account-statement",
        "Έκδοση αντιγράφου ατομικού λογαριασμού ασφάλισης",
        "Copy of the individual insurance account",
        "Αναλυτική κατάσταση εισφορών και εργοδοτών από τον e-ΕΦΚΑ.",
        "Detailed record of contributions and employers from e-EFKA.",
        (ID_EL, AMKA_EL),
        (ID_EN, AMKA_EN),
    ),
    _S(
        "health-insurance-cover-certificate",
        "Βεβαίωση ασφαλιστικής ικανότητας",
        "Certificate of health-insurance cover",
        "Βεβαιώνει ότι ο ασφαλισμένος και τα μέλη του δικαιούνται υγειονομική περίθαλψη.",
        "Certifies that the insured person and dependants are entitled to healthcare.",
        (ID_EL, AMKA_EL),
        (ID_EN, AMKA_EN),
    ),
    _S(
        "old-age-pension",
        "Αίτηση συνταξιοδότησης λόγω γήρατος",
        "Application for an old-age pension",
        "Υποβολή αίτησης σύνταξης γήρατος στον e-ΕΦΚΑ.",
        "Filing an old-age pension application with e-EFKA.",
        (ID_EL, AMKA_EL, IBAN_EL, "Βεβαίωση αποχώρησης από την εργασία, αν υπάρχει"),
        (ID_EN, AMKA_EN, IBAN_EN, "Proof of leaving employment, if any"),
    ),
    _S(
        "survivor-pension",
        "Αίτηση συνταξιοδότησης λόγω θανάτου (σύνταξη χηρείας)",
        "Application for a survivor's pension",
        "Σύνταξη στον επιζώντα σύζυγο ή στα τέκνα συνταξιούχου ή ασφαλισμένου που απεβίωσε.",
        "Pension for the surviving spouse or children of a deceased pensioner or insured person.",
        (
            ID_EL,
            AMKA_EL,
            IBAN_EL,
            "Ληξιαρχική πράξη θανάτου",
            "Πιστοποιητικό οικογενειακής κατάστασης",
        ),
        (ID_EN, AMKA_EN, IBAN_EN, "Death registration record", "Family status certificate"),
    ),
    _S(
        "pension-income-statement",
        "Έκδοση βεβαίωσης συντάξεων για φορολογική χρήση",
        "Pension income statement for tax purposes",
        "Βεβαίωση των συντάξεων που καταβλήθηκαν στο έτος και των κρατήσεων.",
        "Statement of the pensions paid in the year and the deductions withheld.",
        (ID_EL, AMKA_EL, "Φορολογικό έτος"),
        (ID_EN, AMKA_EN, "Tax year"),
    ),
    # Taxation (AADE)
    _S(
        "tax-clearance-certificate",
        "Έκδοση βεβαίωσης φορολογικής ενημερότητας",
        "Issue of a tax clearance certificate",
        "Βεβαιώνει ότι δεν υπάρχουν ληξιπρόθεσμες φορολογικές οφειλές.",
        "Certifies that no overdue taxes are owed.",
        (ID_EL, AFM_EL, "Σκοπός έκδοσης"),
        (ID_EN, AFM_EN, "Purpose"),
    ),
    _S(
        "income-tax-assessment-copy",
        "Χορήγηση αντιγράφου εκκαθαριστικού σημειώματος φόρου εισοδήματος",
        "Copy of an income-tax assessment",
        "Αντίγραφο της πράξης διοικητικού προσδιορισμού φόρου εισοδήματος.",
        "Copy of the income-tax assessment notice.",
        (ID_EL, AFM_EL, "Φορολογικό έτος"),
        (ID_EN, AFM_EN, "Tax year"),
    ),
    _S(
        "income-tax-return-copy",
        "Χορήγηση αντιγράφου δήλωσης φορολογίας εισοδήματος (Ε1)",
        "Copy of an income-tax return (E1)",
        "Αντίγραφο της υποβληθείσας δήλωσης φορολογίας εισοδήματος.",
        "Copy of the income-tax return as filed.",
        (ID_EL, AFM_EL, "Φορολογικό έτος"),
        (ID_EN, AFM_EN, "Tax year"),
    ),
    _S(
        "enfia-certificate",
        "Έκδοση πιστοποιητικού ΕΝ.Φ.Ι.Α.",
        "Issue of a property tax (ENFIA) certificate",
        "Πιστοποιητικό για μεταβίβαση ακινήτου: ο ΕΝ.Φ.Ι.Α. των τελευταίων ετών έχει εξοφληθεί.",
        "Certificate for a property transfer: ENFIA for recent years has been paid.",
        (ID_EL, AFM_EL, "Στοιχεία του ακινήτου (Ε9)"),
        (ID_EN, AFM_EN, "Details of the property (E9)"),
    ),
    _S(
        "vehicle-tax-exemption-disability",
        "Αίτηση απαλλαγής από τα τέλη κυκλοφορίας για άτομα με αναπηρία",
        "Exemption from vehicle circulation tax for persons with disability",
        "Απαλλαγή του οχήματος ατόμου με αναπηρία από τα ετήσια τέλη κυκλοφορίας.",
        "Exemption of a disabled person's vehicle from the annual circulation tax.",
        (ID_EL, AFM_EL, "Γνωμάτευση ΚΕ.Π.Α. σε ισχύ", "Άδεια κυκλοφορίας του οχήματος"),
        (ID_EN, AFM_EN, "Valid KEPA disability assessment", "Vehicle registration certificate"),
    ),
    # Welfare (OPEKA)
    _S(
        "child-benefit",
        "Αίτηση για επίδομα παιδιού (Α21)",
        "Application for child benefit (A21)",
        "Ετήσια αίτηση για το επίδομα παιδιού του ΟΠΕΚΑ.",
        "Yearly application for the OPEKA child benefit.",
        (ID_EL, AMKA_EL, IBAN_EL, "Στοιχεία των τέκνων (ΑΜΚΑ)"),
        (ID_EN, AMKA_EN, IBAN_EN, "Details of the children (AMKA)"),
    ),
    _S(
        "birth-allowance",
        "Αίτηση για επίδομα γέννησης",
        "Application for the birth allowance",
        "Εφάπαξ επίδομα για κάθε παιδί που γεννιέται.",
        "One-off allowance for each child born.",
        (ID_EL, AMKA_EL, IBAN_EL, "Ληξιαρχική πράξη γέννησης του τέκνου"),
        (ID_EN, AMKA_EN, IBAN_EN, "Birth registration record of the child"),
    ),
    _S(
        "housing-allowance",
        "Αίτηση για επίδομα στέγασης",
        "Application for the housing allowance",
        "Επίδομα για νοικοκυριά που μισθώνουν την κύρια κατοικία τους.",
        "Allowance for households renting their main residence.",
        (
            ID_EL,
            AFM_EL,
            IBAN_EL,
            "Ηλεκτρονικό μισθωτήριο (αριθμός δήλωσης πληροφοριακών στοιχείων)",
        ),
        (ID_EN, AFM_EN, IBAN_EN, "Electronic lease (lease declaration number)"),
    ),
    _S(
        "guaranteed-minimum-income",
        "Αίτηση για Ελάχιστο Εγγυημένο Εισόδημα",
        "Application for the Guaranteed Minimum Income",
        "Εισοδηματική ενίσχυση νοικοκυριών σε ακραία φτώχεια.",
        "Income support for households in extreme poverty.",
        (ID_EL, AMKA_EL, AFM_EL, IBAN_EL, "Στοιχεία όλων των μελών του νοικοκυριού"),
        (ID_EN, AMKA_EN, AFM_EN, IBAN_EN, "Details of every member of the household"),
    ),
    _S(
        "elderly-uninsured-pension",
        "Αίτηση για σύνταξη ανασφάλιστων υπερηλίκων",
        "Application for the pension of uninsured elderly people",
        "Προνοιακή σύνταξη για ανασφάλιστους άνω των 67 ετών.",
        "Welfare pension for uninsured people over 67.",
        (ID_EL, AMKA_EL, IBAN_EL, "Βεβαίωση μόνιμης και νόμιμης διαμονής"),
        (ID_EN, AMKA_EN, IBAN_EN, "Proof of permanent and lawful residence"),
    ),
    _S(
        "disability-welfare-allowance",
        "Αίτηση για προνοιακό επίδομα αναπηρίας",
        "Application for a disability welfare allowance",
        "Προνοιακά επιδόματα του ΟΠΕΚΑ σε άτομα με αναπηρία.",
        "OPEKA welfare allowances for persons with disability.",
        (ID_EL, AMKA_EL, IBAN_EL, "Γνωμάτευση ΚΕ.Π.Α. σε ισχύ"),
        (ID_EN, AMKA_EN, IBAN_EN, "Valid KEPA disability assessment"),
    ),
    _S(
        "disability-card",
        "Αίτηση χορήγησης κάρτας αναπηρίας",
        "Application for a disability card",
        "Κάρτα που πιστοποιεί την αναπηρία και δίνει πρόσβαση σε διευκολύνσεις.",
        "Card that certifies a disability and gives access to concessions.",
        (ID_EL, AMKA_EL, "Γνωμάτευση ΚΕ.Π.Α. σε ισχύ", "Πρόσφατη φωτογραφία σε ψηφιακή μορφή"),
        (ID_EN, AMKA_EN, "Valid KEPA disability assessment", "Recent photograph, digital"),
    ),
    _S(
        "disability-transport-pass",
        "Αίτηση για έκδοση δελτίου μετακίνησης ΑμεΑ",
        "Application for a transport pass for persons with disability",
        "Δελτίο δωρεάν ή μειωμένου κομίστρου στα μέσα μαζικής μεταφοράς.",
        "Pass for free or reduced fares on public transport.",
        (ID_EL, AMKA_EL, "Γνωμάτευση ΚΕ.Π.Α. σε ισχύ", "Πρόσφατη φωτογραφία σε ψηφιακή μορφή"),
        (ID_EN, AMKA_EN, "Valid KEPA disability assessment", "Recent photograph, digital"),
    ),
    _S(
        "disability-assessment-kepa",
        "Αίτηση για πιστοποίηση αναπηρίας από ΚΕ.Π.Α.",
        "Application for a disability assessment by a KEPA centre",
        "Παραπομπή σε υγειονομική επιτροπή του Κέντρου Πιστοποίησης Αναπηρίας.",
        "Referral to a medical board of a Disability Certification Centre.",
        (ID_EL, AMKA_EL, "Ηλεκτρονικό παραπεμπτικό θεράποντος ιατρού", "Ιατρικός φάκελος"),
        (ID_EN, AMKA_EN, "Electronic referral from the treating doctor", "Medical file"),
    ),
    _S(
        "disability-parking-permit",
        "Χορήγηση ειδικού σήματος στάθμευσης σε άτομα με αναπηρία",
        "Special parking permit for persons with disability",
        "Σήμα που επιτρέπει τη στάθμευση σε θέσεις για άτομα με αναπηρία.",
        "Permit to park in spaces reserved for persons with disability.",
        (ID_EL, "Γνωμάτευση ΚΕ.Π.Α. σε ισχύ", "Άδεια κυκλοφορίας του οχήματος"),
        (ID_EN, "Valid KEPA disability assessment", "Vehicle registration certificate"),
    ),
    # Employment (DYPA)
    _S(
        "unemployment-registration",
        "Εγγραφή στο μητρώο ανέργων της ΔΥΠΑ (έκδοση κάρτας ανεργίας)",
        "Registration as unemployed with DYPA (unemployment card)",
        "Εγγραφή ή ανανέωση εγγραφής στο μητρώο ανέργων.",
        "Registration, or renewal of registration, as unemployed.",
        (ID_EL, AMKA_EL, AFM_EL, "Βεβαίωση λύσης της σύμβασης εργασίας, αν υπάρχει"),
        (ID_EN, AMKA_EN, AFM_EN, "Proof that the employment contract ended, if any"),
    ),
    _S(
        "unemployment-certificate",
        "Έκδοση βεβαίωσης ανεργίας",
        "Issue of a certificate of unemployment",
        "Βεβαιώνει το χρονικό διάστημα εγγραφής στο μητρώο ανέργων.",
        "Certifies the period of registration as unemployed.",
        (ID_EL, "Αριθμός κάρτας ανεργίας"),
        (ID_EN, "Unemployment card number"),
    ),
    _S(
        "unemployment-benefit",
        "Αίτηση για τακτικό επίδομα ανεργίας",
        "Application for the regular unemployment benefit",
        "Επίδομα σε όσους έχασαν την εργασία τους και πληρούν τις προϋποθέσεις ασφάλισης.",
        "Benefit for people who lost their job and meet the insurance conditions.",
        (ID_EL, AMKA_EL, IBAN_EL, "Καταγγελία σύμβασης ή λήξη σύμβασης ορισμένου χρόνου"),
        (ID_EN, AMKA_EN, IBAN_EN, "Notice of dismissal or end of a fixed-term contract"),
    ),
    _S(
        "maternity-protection-allowance",
        "Αίτηση για ειδική παροχή προστασίας μητρότητας",
        "Application for the special maternity protection allowance",
        "Παροχή της ΔΥΠΑ σε μητέρες μετά τη λήξη της άδειας λοχείας.",
        "DYPA allowance for mothers after maternity leave.",
        (ID_EL, AMKA_EL, IBAN_EL, "Ληξιαρχική πράξη γέννησης του τέκνου"),
        (ID_EN, AMKA_EN, IBAN_EN, "Birth registration record of the child"),
    ),
    # Transport and property
    _S(
        "vehicle-registration-duplicate",
        "Έκδοση αντιγράφου άδειας κυκλοφορίας λόγω απώλειας ή φθοράς",
        "Duplicate vehicle registration certificate after loss or damage",
        "Νέα άδεια κυκλοφορίας όταν η παλαιά χάθηκε ή φθάρηκε.",
        "A new registration certificate when the old one was lost or damaged.",
        (ID_EL, "Δήλωση απώλειας στην αστυνομία ή η φθαρμένη άδεια", "Παράβολο"),
        (ID_EN, "Police report of the loss, or the damaged certificate", "Fee receipt"),
    ),
    _S(
        "cadastral-diagram-extract",
        "Έκδοση αποσπάσματος κτηματολογικού διαγράμματος",
        "Cadastral map extract",
        "Απόσπασμα του κτηματολογικού διαγράμματος ενός ακινήτου.",
        "Extract of the cadastral map for a property.",
        (ID_EL, "ΚΑΕΚ του ακινήτου", "Παράβολο"),
        (ID_EN, "The property's cadastral code (KAEK)", "Fee receipt"),
    ),
    _S(
        "cadastral-entries-certificate",
        "Έκδοση πιστοποιητικού κτηματολογικών εγγραφών",
        "Certificate of cadastral entries",
        "Πιστοποιητικό με τα δικαιώματα που είναι εγγεγραμμένα σε ακίνητο.",
        "Certificate of the rights registered on a property.",
        (ID_EL, "ΚΑΕΚ του ακινήτου", "Παράβολο"),
        (ID_EN, "The property's cadastral code (KAEK)", "Fee receipt"),
    ),
)

# --- Shown in categories 1 and 3, never bookable (C11) -----------------------------------------
_VISIT_KEP_EL = "Επισκεφθείτε οποιοδήποτε ΚΕΠ με φυσική παρουσία, αφού κλείσετε ραντεβού."
_VISIT_KEP_EN = "Visit any KEP in person, after booking an appointment with it."

IN_PERSON_PROCEDURES: tuple[ServiceRow, ...] = (
    _S(
        "police-identity-card",
        "Έκδοση δελτίου αστυνομικής ταυτότητας",
        "Issue of a police identity card",
        "Η ταυτότητα εκδίδεται από την Ελληνική Αστυνομία με δακτυλικά αποτυπώματα και υπογραφή.",
        "The card is issued by the Hellenic Police with fingerprints and a signature.",
        (
            "Πιστοποιητικό γέννησης",
            "Φωτογραφίες κατά τις προδιαγραφές της ΕΛ.ΑΣ.",
            "Παράβολο",
        ),
        ("Birth certificate", "Photographs to the Police specifications", "Fee receipt"),
        "Δεν εξυπηρετείται με βιντεοκλήση: χρειάζονται δακτυλικά αποτυπώματα και υπογραφή. "
        "Κλείστε ραντεβού στο Τμήμα Ασφαλείας ή Αστυνομικό Τμήμα της περιοχής σας και "
        "προσέλθετε αυτοπροσώπως.",
        "Cannot be served by video call: fingerprints and a signature are needed. Book an "
        "appointment at your local police station and attend in person.",
    ),
    _S(
        "passport",
        "Έκδοση διαβατηρίου",
        "Issue of a passport",
        "Το διαβατήριο εκδίδεται από τα Γραφεία Διαβατηρίων με βιομετρικά στοιχεία.",
        "Passports are issued by the passport offices with biometric data.",
        ("Δελτίο αστυνομικής ταυτότητας", "Φωτογραφία", "Ηλεκτρονικό παράβολο"),
        ("Identity card", "Photograph", "Electronic fee receipt"),
        "Δεν εξυπηρετείται με βιντεοκλήση: απαιτείται λήψη δακτυλικών αποτυπωμάτων. Πληρώστε "
        "το ηλεκτρονικό παράβολο και κλείστε ραντεβού στο Γραφείο Διαβατηρίων μέσω "
        "passport.gov.gr.",
        "Cannot be served by video call: fingerprints are taken. Pay the electronic fee and "
        "book an appointment at a passport office through passport.gov.gr.",
    ),
    _S(
        "signature-authentication",
        "Θεώρηση γνησίου υπογραφής",
        "Authentication of a signature",
        "Ο υπάλληλος βεβαιώνει ότι η υπογραφή τέθηκε ενώπιόν του.",
        "The officer certifies that the signature was made in their presence.",
        (ID_EL, "Το έγγραφο προς υπογραφή"),
        (ID_EN, "The document to be signed"),
        "Δεν γίνεται με βιντεοκλήση: η υπογραφή τίθεται ενώπιον του υπαλλήλου. Για υπεύθυνη "
        "δήλωση ή εξουσιοδότηση χρησιμοποιήστε την ψηφιακή υπηρεσία του gov.gr "
        "(dilosi.services.gov.gr)· αλλιώς " + _VISIT_KEP_EL[0].lower() + _VISIT_KEP_EL[1:],
        "Not possible by video call: the signature is made in front of the officer. For a "
        "solemn declaration or an authorisation use the gov.gr digital service "
        "(dilosi.services.gov.gr); otherwise " + _VISIT_KEP_EN[0].lower() + _VISIT_KEP_EN[1:],
    ),
    _S(
        "copy-certification",
        "Επικύρωση αντιγράφων",
        "Certification of copies",
        "Επικύρωση φωτοαντιγράφου με αντιπαραβολή με το πρωτότυπο.",
        "Certification of a photocopy by comparing it with the original.",
        ("Το πρωτότυπο έγγραφο", "Τα φωτοαντίγραφα"),
        ("The original document", "The photocopies"),
        "Δεν γίνεται με βιντεοκλήση: ο υπάλληλος πρέπει να δει το πρωτότυπο. Για αντίγραφα "
        "εγγράφων δημόσιων υπηρεσιών αρκεί κατά κανόνα απλό ευανάγνωστο φωτοαντίγραφο "
        "(ν. 4250/2014). " + _VISIT_KEP_EL,
        "Not possible by video call: the officer must see the original. For copies of "
        "documents issued by public bodies a clear plain photocopy is normally enough "
        "(Law 4250/2014). " + _VISIT_KEP_EN,
    ),
    _S(
        "driving-licence-first-issue",
        "Έκδοση άδειας οδήγησης (πρώτη χορήγηση)",
        "Issue of a driving licence (first issue)",
        "Η πρώτη άδεια οδήγησης προϋποθέτει ιατρικές εξετάσεις και εξετάσεις οδήγησης.",
        "A first driving licence requires medical and driving tests.",
        ("Ιατρικές γνωματεύσεις", "Φωτογραφία", "Παράβολα"),
        ("Medical certificates", "Photograph", "Fee receipts"),
        "Δεν εξυπηρετείται με βιντεοκλήση: χρειάζονται υπογραφή, φωτογραφία και εξετάσεις. "
        "Απευθυνθείτε στη Διεύθυνση Μεταφορών και Επικοινωνιών της Περιφέρειας ή σε σχολή "
        "οδηγών· " + _VISIT_KEP_EL[0].lower() + _VISIT_KEP_EL[1:],
        "Cannot be served by video call: a signature, a photograph and tests are needed. Go "
        "to the regional Transport and Communications Directorate or a driving school; or "
        + _VISIT_KEP_EN[0].lower()
        + _VISIT_KEP_EN[1:],
    ),
    _S(
        "driving-licence-replacement",
        "Αντικατάσταση άδειας οδήγησης λόγω απώλειας ή φθοράς",
        "Replacement of a lost or damaged driving licence",
        "Νέα άδεια οδήγησης όταν η παλαιά χάθηκε ή φθάρηκε.",
        "A new driving licence when the old one was lost or damaged.",
        ("Δήλωση απώλειας ή η φθαρμένη άδεια", "Φωτογραφία", "Παράβολο"),
        ("Report of the loss, or the damaged licence", "Photograph", "Fee receipt"),
        "Δεν εξυπηρετείται με βιντεοκλήση: η νέα άδεια χρειάζεται υπογραφή ενώπιον υπαλλήλου "
        "και φωτογραφία. " + _VISIT_KEP_EL + " Εναλλακτικά, όσο ισχύουν έκτακτα μέτρα, "
        "ρωτήστε το ΚΕΠ για αποστολή των δικαιολογητικών με ΕΛΤΑ.",
        "Cannot be served by video call: the new licence needs a signature made in front of "
        "an officer and a photograph. " + _VISIT_KEP_EN + " While emergency measures apply, "
        "ask the KEP about sending the documents through ELTA.",
    ),
)

# --- Category 2: twelve certificates for businesses ---------------------------------------------
REP_EL = "Στοιχεία νόμιμης εκπροσώπησης της επιχείρησης"
REP_EN = "Proof of legal representation of the business"
GEMI_EL = "Αριθμός ΓΕΜΗ της επιχείρησης"
GEMI_EN = "The business's GEMI number"

BUSINESS_CERTIFICATES: tuple[ServiceRow, ...] = (
    _S(
        "gemi-certificate",
        "Έκδοση πιστοποιητικού ΓΕΜΗ (ισχύος και μεταβολών)",
        "Issue of a General Commercial Registry (GEMI) certificate",
        "Πιστοποιητικό ισχύος εταιρείας και καταχωρισμένων μεταβολών από το ΓΕΜΗ.",
        "Certificate of good standing and registered changes from GEMI.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "gemi-representation-certificate",
        "Έκδοση πιστοποιητικού εκπροσώπησης νομικού προσώπου (ΓΕΜΗ)",
        "Certificate of legal representation of a company (GEMI)",
        "Βεβαιώνει ποιοι εκπροσωπούν και δεσμεύουν την εταιρεία.",
        "Certifies who represents and binds the company.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "business-start-certificate",
        "Βεβαίωση έναρξης επιτηδεύματος",
        "Certificate of commencement of business activity",
        "Βεβαίωση της ΑΑΔΕ για την έναρξη εργασιών και τους ΚΑΔ της επιχείρησης.",
        "AADE certificate of the start of business and the activity codes (KAD).",
        (ID_EL, REP_EL, "ΑΦΜ της επιχείρησης"),
        (ID_EN, REP_EN, "The business's tax number"),
    ),
    _S(
        "business-registry-details",
        "Βεβαίωση μητρωακών στοιχείων επιχείρησης",
        "Certificate of a business's tax-registry details",
        "Βεβαίωση της ΑΑΔΕ με έδρα, εγκαταστάσεις και δραστηριότητες της επιχείρησης.",
        "AADE certificate of the seat, premises and activities of the business.",
        (ID_EL, REP_EL, "ΑΦΜ της επιχείρησης"),
        (ID_EN, REP_EN, "The business's tax number"),
    ),
    _S(
        "business-tax-clearance",
        "Φορολογική ενημερότητα επιχείρησης",
        "Tax clearance of a business",
        "Βεβαιώνει ότι η επιχείρηση δεν έχει ληξιπρόθεσμες φορολογικές οφειλές.",
        "Certifies that the business owes no overdue taxes.",
        (ID_EL, REP_EL, "ΑΦΜ της επιχείρησης", "Σκοπός έκδοσης"),
        (ID_EN, REP_EN, "The business's tax number", "Purpose"),
    ),
    _S(
        "business-insurance-clearance",
        "Ασφαλιστική ενημερότητα επιχείρησης",
        "Social-security clearance of a business",
        "Βεβαιώνει ότι η επιχείρηση δεν οφείλει εισφορές στον e-ΕΦΚΑ.",
        "Certifies that the business owes no contributions to e-EFKA.",
        (ID_EL, REP_EL, "ΑΦΜ της επιχείρησης", "Σκοπός έκδοσης"),
        (ID_EN, REP_EN, "The business's tax number", "Purpose"),
    ),
    _S(
        "non-bankruptcy-certificate",
        "Πιστοποιητικό μη πτώχευσης",
        "Certificate of non-bankruptcy",
        "Από το Πρωτοδικείο της έδρας: η επιχείρηση δεν έχει κηρυχθεί σε πτώχευση.",
        "From the court of the seat: the business has not been declared bankrupt.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "no-bankruptcy-petition-certificate",
        "Πιστοποιητικό μη κατάθεσης αίτησης για πτώχευση",
        "Certificate that no bankruptcy petition has been filed",
        "Βεβαιώνει ότι δεν εκκρεμεί αίτηση πτώχευσης κατά της επιχείρησης.",
        "Certifies that no bankruptcy petition against the business is pending.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "no-liquidation-certificate",
        "Πιστοποιητικό μη θέσης σε εκκαθάριση",
        "Certificate that the company is not in liquidation",
        "Βεβαιώνει ότι η εταιρεία δεν έχει τεθεί σε εκκαθάριση.",
        "Certifies that the company has not been put into liquidation.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "no-compulsory-administration-certificate",
        "Πιστοποιητικό μη θέσης σε αναγκαστική διαχείριση",
        "Certificate that the company is not under compulsory administration",
        "Βεβαιώνει ότι η επιχείρηση δεν έχει τεθεί σε αναγκαστική διαχείριση.",
        "Certifies that the business is not under compulsory administration.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "no-dissolution-certificate",
        "Πιστοποιητικό περί μη λύσης εταιρείας",
        "Certificate that a partnership has not been dissolved",
        "Για προσωπικές εταιρείες: η εταιρεία δεν έχει λυθεί.",
        "For partnerships: the partnership has not been dissolved.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
    _S(
        "chamber-registration-certificate",
        "Πιστοποιητικό εγγραφής στο Επιμελητήριο",
        "Certificate of registration with the Chamber",
        "Βεβαιώνει την εγγραφή και την ενημερότητα της επιχείρησης στο οικείο Επιμελητήριο.",
        "Certifies the business's registration and standing with its Chamber.",
        (ID_EL, REP_EL, GEMI_EL),
        (ID_EN, REP_EN, GEMI_EN),
    ),
)

# Category 2 also informs on 235 licensing and start-up procedures; the demo carries ten.
_INFO_EL = "Ενημέρωση για τις προϋποθέσεις, τα δικαιολογητικά, το κόστος και τον χρόνο"
_INFO_EN = "Information on the conditions, documents, cost and time"


def _info(slug: str, title_el: str, title_en: str, subject_el: str, subject_en: str) -> ServiceRow:
    return ServiceRow(
        slug,
        title_el,
        title_en,
        f"{_INFO_EL}: {subject_el}.",
        f"{_INFO_EN}: {subject_en}.",
        (ID_EL, REP_EL),
        (ID_EN, REP_EN),
    )


BUSINESS_LICENSING_INFO: tuple[ServiceRow, ...] = (
    _info(
        "food-shop",
        "Πληροφόρηση για αδειοδότηση καταστήματος υγειονομικού ενδιαφέροντος",
        "Information on licensing a food and drink business",
        "εστιατόρια, καφέ, αναψυκτήρια και άλλα καταστήματα υγειονομικού ενδιαφέροντος",
        "restaurants, cafés, snack bars and other food businesses",
    ),
    _info(
        "hair-beauty",
        "Πληροφόρηση για γνωστοποίηση λειτουργίας κομμωτηρίου – κουρείου – κέντρου αισθητικής",
        "Information on notifying a hairdresser, barber or beauty salon",
        "κομμωτήρια, κουρεία και κέντρα αισθητικής",
        "hairdressers, barbers and beauty salons",
    ),
    _info(
        "tutoring-centre",
        "Πληροφόρηση για ίδρυση φροντιστηρίου και κέντρου ξένων γλωσσών",
        "Information on opening a tutoring or foreign-language centre",
        "φροντιστήρια και κέντρα ξένων γλωσσών",
        "tutoring and foreign-language centres",
    ),
    _info(
        "manufacturing",
        "Πληροφόρηση για γνωστοποίηση λειτουργίας μεταποιητικής δραστηριότητας (ν. 4442/2016)",
        "Information on notifying a manufacturing activity (Law 4442/2016)",
        "μεταποιητικές δραστηριότητες χαμηλής όχλησης",
        "low-nuisance manufacturing activities",
    ),
    _info(
        "street-trade",
        "Πληροφόρηση για άδεια υπαίθριου στάσιμου και πλανόδιου εμπορίου",
        "Information on permits for stationary and itinerant street trade",
        "λαϊκές αγορές, στάσιμο και πλανόδιο εμπόριο",
        "street markets, stationary and itinerant trade",
    ),
    _info(
        "tourist-accommodation",
        "Πληροφόρηση για ειδικό σήμα λειτουργίας τουριστικού καταλύματος",
        "Information on the operating licence of tourist accommodation",
        "ξενοδοχεία, ενοικιαζόμενα δωμάτια και διαμερίσματα",
        "hotels, rooms and apartments to let",
    ),
    _info(
        "travel-agency",
        "Πληροφόρηση για ίδρυση τουριστικού γραφείου",
        "Information on opening a travel agency",
        "τουριστικά και ταξιδιωτικά γραφεία",
        "travel agencies and tour operators",
    ),
    _info(
        "vehicle-repair",
        "Πληροφόρηση για άδεια ίδρυσης και λειτουργίας συνεργείου οχημάτων",
        "Information on licensing a vehicle repair workshop",
        "συνεργεία αυτοκινήτων και μοτοσυκλετών",
        "car and motorcycle repair workshops",
    ),
    _info(
        "private-nursery",
        "Πληροφόρηση για άδεια ίδρυσης και λειτουργίας ιδιωτικού παιδικού σταθμού",
        "Information on licensing a private nursery",
        "ιδιωτικοί παιδικοί και βρεφονηπιακοί σταθμοί",
        "private nurseries and day-care centres",
    ),
    _info(
        "one-stop-company",
        "Πληροφόρηση για σύσταση εταιρείας μέσω Υπηρεσίας Μιας Στάσης",
        "Information on setting up a company through the One-Stop Shop",
        "ίδρυση ΙΚΕ, ΟΕ, ΕΕ και ΑΕ μέσω ΥΜΣ",
        "setting up private, general, limited and public companies",
    ),
)

# --- Category 4: municipal services (the citizen chooses a KEP of that municipality) -----------
# "{el}" and "{en}" are filled with the municipality's names.
MUNICIPAL_POOL: tuple[ServiceRow, ...] = (
    _S(
        "permanent-residence",
        "Βεβαίωση μόνιμης κατοικίας",
        "Certificate of permanent residence",
        "Βεβαίωση του {el} ότι ο αιτών κατοικεί μόνιμα στην περιοχή του.",
        "Certificate from the {en} that the applicant lives permanently in its area.",
        (ID_EL, "Λογαριασμός ΔΕΚΟ ή μισθωτήριο στο όνομα του αιτούντος", "Εκκαθαριστικό φόρου"),
        (ID_EN, "A utility bill or lease in the applicant's name", "Income-tax assessment"),
    ),
    _S(
        "municipal-roll-certificate",
        "Πιστοποιητικό εγγραφής στο Δημοτολόγιο",
        "Certificate of entry in the municipal roll",
        "Βεβαιώνει την εγγραφή του αιτούντος στο δημοτολόγιο του {el}.",
        "Certifies the applicant's entry in the municipal roll of the {en}.",
        (ID_EL,),
        (ID_EN,),
    ),
    _S(
        "tap-clearance",
        "Βεβαίωση μη οφειλής ΤΑΠ",
        "Certificate that no property levy (TAP) is owed",
        "Απαιτείται για μεταβίβαση ακινήτου στην περιοχή του {el}.",
        "Needed to transfer a property in the area of the {en}.",
        (ID_EL, "Στοιχεία του ακινήτου και της παροχής ρεύματος", "Τετραγωνικά μέτρα"),
        (ID_EN, "Details of the property and its electricity supply", "Floor area"),
    ),
    _S(
        "resident-parking-card",
        "Αίτηση για κάρτα στάθμευσης μόνιμου κατοίκου",
        "Application for a resident parking card",
        "Κάρτα στάθμευσης στις ελεγχόμενες θέσεις του {el} για μόνιμους κατοίκους.",
        "Card to park in the {en}'s controlled spaces for permanent residents.",
        (ID_EL, "Άδεια κυκλοφορίας του οχήματος", "Λογαριασμός ΔΕΚΟ της κατοικίας"),
        (ID_EN, "Vehicle registration certificate", "Utility bill for the residence"),
    ),
    _S(
        "nursery-enrolment",
        "Αίτηση εγγραφής σε δημοτικό παιδικό σταθμό",
        "Application to enrol a child in a municipal nursery",
        "Εγγραφή ή επανεγγραφή νηπίου σε παιδικό σταθμό του {el}.",
        "Enrolment or re-enrolment of a child in a nursery of the {en}.",
        (ID_EL, "Πιστοποιητικό γέννησης του παιδιού", "Βεβαίωση εργασίας των γονέων"),
        (ID_EN, "The child's birth certificate", "Employment certificates of the parents"),
    ),
    _S(
        "bulky-waste-collection",
        "Αίτηση για αποκομιδή ογκωδών αντικειμένων",
        "Request to collect bulky items",
        "Η υπηρεσία καθαριότητας του {el} παραλαμβάνει έπιπλα, στρώματα και συσκευές.",
        "The {en}'s cleaning service collects furniture, mattresses and appliances.",
        ("Διεύθυνση παραλαβής", "Περιγραφή των αντικειμένων"),
        ("Collection address", "Description of the items"),
    ),
    _S(
        "social-grocery",
        "Αίτηση ένταξης στο Κοινωνικό Παντοπωλείο",
        "Application to join the Social Grocery",
        "Δωρεάν είδη πρώτης ανάγκης από το Κοινωνικό Παντοπωλείο του {el}.",
        "Free basic goods from the Social Grocery of the {en}.",
        (ID_EL, "Εκκαθαριστικό φόρου εισοδήματος", "Πιστοποιητικό οικογενειακής κατάστασης"),
        (ID_EN, "Income-tax assessment", "Family status certificate"),
    ),
    _S(
        "property-area-certificate",
        "Βεβαίωση τετραγωνικών μέτρων ακινήτου",
        "Certificate of a property's floor area",
        "Τα τετραγωνικά μέτρα του ακινήτου, όπως είναι καταχωρισμένα για τα τέλη του {el}.",
        "The floor area on which the {en} charges municipal fees for the property.",
        (ID_EL, "Αριθμός παροχής ρεύματος του ακινήτου"),
        (ID_EN, "Electricity supply number of the property"),
    ),
    _S(
        "municipal-clearance",
        "Βεβαίωση δημοτικής ενημερότητας",
        "Certificate that no debts are owed to the municipality",
        "Βεβαιώνει ότι δεν υπάρχουν ληξιπρόθεσμες οφειλές προς την ταμειακή υπηρεσία του {el}.",
        "Certifies that nothing overdue is owed to the {en}.",
        (ID_EL, AFM_EL),
        (ID_EN, AFM_EN),
    ),
    _S(
        "kapi-membership",
        "Αίτηση εγγραφής μέλους σε ΚΑΠΗ",
        "Application to join an open care centre for older people (KAPI)",
        "Εγγραφή στα Κέντρα Ανοικτής Προστασίας Ηλικιωμένων του {el}.",
        "Membership of the open care centres for older people of the {en}.",
        (ID_EL, AMKA_EL),
        (ID_EN, AMKA_EN),
    ),
    _S(
        "help-at-home",
        "Αίτηση ένταξης στο πρόγραμμα «Βοήθεια στο Σπίτι»",
        "Application to the 'Help at Home' programme",
        "Κατ' οίκον φροντίδα ηλικιωμένων και ατόμων με αναπηρία από το πρόγραμμα του {el}.",
        "Home care for older and disabled people from the {en}.",
        (ID_EL, AMKA_EL, "Εκκαθαριστικό φόρου εισοδήματος"),
        (ID_EN, AMKA_EN, "Income-tax assessment"),
    ),
    _S(
        "public-space-use",
        "Αίτηση παραχώρησης χρήσης κοινόχρηστου χώρου",
        "Application to use a public space",
        "Άδεια χρήσης πεζοδρομίου ή πλατείας του {el} (π.χ. τραπεζοκαθίσματα, σκαλωσιά).",
        "Permit to use a pavement or square of the {en} (e.g. café tables, scaffolding).",
        (ID_EL, "Τοπογραφικό ή σκαρίφημα του χώρου", "Δημοτική ενημερότητα"),
        (ID_EN, "Site plan or sketch of the space", "Municipal clearance certificate"),
    ),
    _S(
        "sports-for-all",
        "Αίτηση συμμετοχής στα προγράμματα «Άθληση για Όλους»",
        "Application to the 'Sport for All' programmes",
        "Εγγραφή σε αθλητικά προγράμματα των εγκαταστάσεων του {el}.",
        "Enrolment in sports programmes at the facilities of the {en}.",
        (ID_EL, "Βεβαίωση ιατρού ότι ο αιτών μπορεί να αθλείται"),
        (ID_EN, "A doctor's note that the applicant may take part in sport"),
    ),
    _S(
        "tree-pruning",
        "Αίτηση για κλάδεμα δέντρων σε κοινόχρηστο χώρο",
        "Request to prune trees in a public space",
        "Κλάδεμα ή απομάκρυνση επικίνδυνων δέντρων από την υπηρεσία πρασίνου του {el}.",
        "Pruning or removal of dangerous trees by the {en}'s parks service.",
        ("Διεύθυνση του δέντρου", "Φωτογραφία, αν υπάρχει"),
        ("Address of the tree", "A photograph, if available"),
    ),
)

MUNICIPAL_SERVICES_PER_MUNICIPALITY = 5

del _S
