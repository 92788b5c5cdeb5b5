"""Demo trials, visit schedules, sites and subjects (get-or-create)."""

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.trials.models import Site, Subject, SubjectIdentity, Trial, TrialVisit

CONTACT = dict(
    contact_name="Ensayo Logística Clínica · Centro de contacto 24 h",
    contact_address="Calle de la Ciencia 12, 28760 Tres Cantos, Madrid, España",
    contact_phone="+34 910 000 111",
)

TRIALS = [
    dict(protocol_code="ONC-2024-017", eu_ct_number="2024-512345-17-00",
         title="Estudio fase III, aleatorizado, doble ciego, de IBX-201 oral frente a placebo "
               "en cáncer de pulmón no microcítico avanzado",
         sponsor="Iberia Pharma S.A.", phase="III", kind="drug", status="active", blinded=True,
         countries="ES,PT",
         visits=[(1, "Selección", -14, 0, 0), (2, "Basal / aleatorización", 0, 0, 0),
                 (3, "Semana 4", 28, 3, 3), (4, "Semana 8", 56, 3, 3),
                 (5, "Semana 12", 84, 5, 5), (6, "Fin de estudio", 112, 7, 7)],
         sites=[("001", "Hospital Universitario La Paz", "Paseo de la Castellana 261, 28046 Madrid",
                 "Dra. Elena Martín Ruiz"),
                ("002", "Hospital Clínic de Barcelona", "Carrer de Villarroel 170, 08036 Barcelona",
                 "Dr. Jordi Puig Serra"),
                ("003", "Hospital Universitari i Politècnic La Fe",
                 "Avinguda de Fernando Abril Martorell 106, 46026 València",
                 "Dra. Carmen Soler Vidal")]),
    dict(protocol_code="CART-2025-003", eu_ct_number="2025-520111-03-00",
         title="Ensayo fase I/II de células CAR-T autólogas anti-CD19 (ARI-0099) en linfoma B "
               "en recaída o refractario",
         sponsor="Celltech Europa S.L.", phase="I/II", kind="cell_therapy", status="active",
         blinded=False, countries="ES",
         visits=[(1, "Aféresis", -35, 0, 3), (2, "Linfodepleción", -5, 0, 0),
                 (3, "Infusión", 0, 0, 0), (4, "Día 7", 7, 1, 1), (5, "Día 14", 14, 2, 2),
                 (6, "Día 28", 28, 3, 3), (7, "Día 90", 90, 7, 7)],
         sites=[("001", "Hospital Clínic de Barcelona", "Carrer de Villarroel 170, 08036 Barcelona",
                 "Dr. Álvaro Urbano Ispizua"),
                ("002", "Hospital Universitario 12 de Octubre",
                 "Avenida de Córdoba s/n, 28041 Madrid", "Dr. Joaquín Martínez López")]),
    dict(protocol_code="DEV-2025-021", eu_ct_number=None,
         title="Investigación clínica de un monitor continuo de glucosa implantable (GlucoSense "
               "G3) en diabetes tipo 1",
         sponsor="MedDevices Iberia S.A.", phase="N/A", kind="device", status="active",
         blinded=False, countries="ES",
         visits=[(1, "Implantación", 0, 0, 0), (2, "Control mes 1", 30, 5, 5),
                 (3, "Control mes 3", 90, 7, 7), (4, "Explantación", 180, 7, 7)],
         sites=[("001", "Hospital Universitario Virgen del Rocío",
                 "Avenida Manuel Siurot s/n, 41013 Sevilla", "Dr. Francisco Losada Viñau")]),
]

PEOPLE = [
    ("María García López", "Calle Mayor 5, 3º B", "28013", "Madrid", "12345678Z"),
    ("José Fernández Ruiz", "Avenida de América 22", "28028", "Madrid", "87654321X"),
    ("Ana Martínez Soler", "Carrer de Mallorca 120", "08036", "Barcelona", "X1234567L"),
    ("Antonio López Pérez", "Calle Colón 14", "46004", "València", "11111111H"),
    ("Carmen Sánchez Gil", "Calle Sierpes 30", "41004", "Sevilla", "22222222J"),
    ("Francisco Romero Díaz", "Gran Via de les Corts Catalanes 600", "08007", "Barcelona",
     "33333333P"),
]


def _get_or_create(session, model, lookup, values, report, label):
    record = session.scalar(select(model).filter_by(**lookup))
    if record is None:
        record = model(**lookup, **values)
        session.add(record)
        session.flush()
        report.append(f"created {label}")
    return record


def seed_trials(session, report):
    """Create the three demo trials with schedules, sites and subjects; return them by code."""
    trials = {}
    person = 0
    for spec in TRIALS:
        values = {k: v for k, v in spec.items() if k not in ("protocol_code", "visits", "sites")}
        trial = _get_or_create(session, Trial, {"protocol_code": spec["protocol_code"]},
                               {**values, **CONTACT}, report, f"trial {spec['protocol_code']}")
        trials[trial.protocol_code] = trial
        for number, name, day, before, after in spec["visits"]:
            _get_or_create(session, TrialVisit, {"trial_id": trial.id, "number": number},
                           dict(name=name, day_offset=day, window_before=before,
                                window_after=after), report, f"visit {number}")
        for number, hospital, address, pi in spec["sites"]:
            site = _get_or_create(session, Site, {"trial_id": trial.id, "site_number": number},
                                  dict(hospital=hospital, address=address, country="ES",
                                       principal_investigator=pi, phone="+34 900 000 000"),
                                  report, f"site {trial.protocol_code}-{number}")
            for n in range(1, 4):
                code = f"{trial.protocol_code.split('-')[0]}-{number}-{n:03d}"
                subject = _get_or_create(
                    session, Subject, {"trial_id": trial.id, "code": code},
                    dict(site_id=site.id, status="enrolled" if n < 3 else "screening",
                         enrolment_date=clock.today() - timedelta(days=40 * (4 - n))),
                    report, f"subject {code}")
                if subject.identity is None:
                    name, street, postal, city, nid = PEOPLE[person % len(PEOPLE)]
                    session.add(SubjectIdentity(
                        subject_id=subject.id, full_name=name, address=street,
                        postal_code=postal, city=city, national_id=nid,
                        email=f"paciente.{code.lower()}@demo.example", phone="+34 600 000 000"))
                person += 1
    return trials
