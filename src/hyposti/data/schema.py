"""The trial dataset's tables and columns, declared as data: the interchange format of hyposti.

Every table is one domain (CDISC SDTM's split of a trial into domains, simplified); each column has
a type, whether a value is required, the values or range allowed, and a description, so that the
web app's export, an SDTM mapping and the checks on load all read the same declaration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any, Literal, get_args

from hyposti.bounds import (
    MAX_COPIES_PER_UG,
    MAX_LESION_MM,
    MAX_SLICE_MM,
    MAX_TEXT_CHARS,
    STUDY_DAY_RANGE,
)
from hyposti.protocol.safety_spec import AeScale, Attribution

DType = Literal["string", "integer", "number", "date", "boolean"]

#: The NCI CTEP attribution scale as the safety engine declares it (protocol.safety_spec).
ATTRIBUTION: tuple[str, ...] = get_args(Attribution)
RELATED_ATTRIBUTIONS = ("possible", "probable", "definite")
#: The safety engine's scale names (hyposti.protocol.safety_spec.AeScale): one vocabulary.
AE_SCALES: tuple[str, ...] = get_args(AeScale)
DATA_SOURCES = ("clinical", "synthetic")
ESCALATION_DECISIONS = ("escalate", "stay", "de-escalate", "stop", "expand")
LESION_CATEGORIES = ("target", "non-target", "new")
METHODS = ("CT", "MRI", "caliper", "chest_xray")
NON_TARGET_STATUSES = ("CR", "NON-CR/NON-PD", "PD", "NE")
LESION_STATES = (
    "measured",
    "too_small_to_measure",
    "disappeared",
    "not_evaluated",
    "merged",
    "present",
)
OFF_STUDY_REASONS = (
    "completed",
    "screen failure",
    "progression",
    "death",
    "adverse event",
    "withdrawal of consent",
    "lost to follow-up",
    "investigator decision",
    "study terminated",
)

#: Laboratory tests of the lab_results table: test -> (the screening record's field that holds
#: it, hyposti.eligibility.record.Labs, and its unit there).
LAB_TESTS: dict[str, tuple[str, str]] = {
    "anc": ("anc_10e9_per_l", "10^9/L"),
    "platelets": ("platelets_10e9_per_l", "10^9/L"),
    "haemoglobin": ("haemoglobin_g_dl", "g/dL"),
    "serum_creatinine": ("serum_creatinine_mg_dl", "mg/dL"),
    "total_bilirubin": ("total_bilirubin", "mg/dL"),
    "alt": ("alt", "U/L"),
    "ast": ("ast", "U/L"),
    "inr": ("inr", ""),
    "aptt": ("aptt", "sec"),
}
#: Vital signs of the vital_signs table and their units.
VITAL_SIGNS: dict[str, str] = {
    "weight": "kg",
    "height": "cm",
    "spo2": "%",
    "temperature": "C",
    "systolic_bp": "mmHg",
}


@dataclass(frozen=True)
class Column:
    """One column: type, whether a value is required, the allowed values or range, meaning.

    ``identifier`` columns follow the engines' identifier rule (hyposti.bounds.ID_RULE).
    """

    name: str
    dtype: DType
    description: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    identifier: bool = False


@dataclass(frozen=True)
class Table:
    """One domain table: its columns, the key columns of a row, whether its file may be absent."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _subject(description: str = "Subject identifier; must exist in subjects.") -> Column:
    return Column("subject_id", "string", description, identifier=True)


#: The tables of every dataset; a protocol's dataset adds its attribution columns to
#: adverse_events (``dataset_tables``).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "study",
            "One row: the study and the data cut-off this dataset reflects, with MTD and RP2D.",
            (
                Column("study_id", "string", "Registry identifier, e.g. NCT05681650."),
                Column("data_cutoff", "date", "Data cut-off date; later events are not counted."),
                Column("protocol_version", "string", "Protocol version.", required=False),
                Column(
                    "data_source",
                    "string",
                    "Where the data come from: a trial's records, or generated (synthetic); a "
                    "report of synthetic data says so on every page.",
                    required=False,
                    allowed=DATA_SOURCES,
                ),
                Column(
                    "generated_on",
                    "date",
                    "Date the dataset was generated or exported; the data cut-off is never later.",
                    required=False,
                ),
                Column(
                    "mtd_dose_level",
                    "integer",
                    "Maximum tolerated dose level declared by the safety review committee.",
                    required=False,
                    minimum=1,
                ),
                Column(
                    "rp2d_dose_level",
                    "integer",
                    "Recommended phase 2 dose level.",
                    required=False,
                    minimum=1,
                ),
                Column(
                    "rp2d_rationale",
                    "string",
                    "Why the RP2D was chosen (DLTs, kinetics, efficacy).",
                    required=False,
                ),
            ),
            key=("study_id",),
            optional=False,
        ),
        Table(
            "subjects",
            "One row per consented subject: demographics, dose level and the key dates.",
            (
                _subject("Subject identifier, unique."),
                Column("site_id", "string", "Study site.", required=False),
                Column("sex", "string", "Sex.", allowed=("F", "M")),
                Column("age_years", "integer", "Age at consent, years.", minimum=0, maximum=120),
                Column("weight_kg", "number", "Body weight, kg.", False, minimum=1, maximum=400),
                Column("height_cm", "number", "Height, cm.", False, minimum=30, maximum=260),
                Column("tumour_type", "string", "Primary tumour type.", required=False),
                Column(
                    "her2_expression_pct",
                    "number",
                    "HER2-positive tumour cells, %.",
                    required=False,
                    minimum=0,
                    maximum=100,
                ),
                Column("ecog", "integer", "ECOG performance status.", False, minimum=0, maximum=5),
                Column(
                    "phase", "string", "Trial part.", False, allowed=("escalation", "expansion")
                ),
                Column("cohort", "integer", "Escalation cohort number.", False, minimum=1),
                Column("dose_level", "integer", "Assigned dose level.", False, minimum=1),
                Column("consent_date", "date", "Informed consent signed."),
                Column("enrolment_date", "date", "Enrolled (eligible).", required=False),
                Column(
                    "preconditioning_start_date",
                    "date",
                    "First preconditioning chemotherapy (day -5); start of AE collection.",
                    required=False,
                ),
                Column("infusion_date", "date", "CAR-T infusion (study day 0).", required=False),
            ),
            key=("subject_id",),
            optional=False,
        ),
        Table(
            "screening",
            "One row per subject and eligibility criterion assessed at screening.",
            (
                _subject(),
                Column("screening_date", "date", "Date the criterion was assessed."),
                Column("criterion_id", "string", "Protocol criterion id, e.g. I3 or E7."),
                Column("met", "boolean", "Whether the subject satisfies the criterion."),
                Column("detail", "string", "Why (value and threshold).", required=False),
            ),
            key=("subject_id", "criterion_id"),
        ),
        Table(
            "exposure",
            "One row per administration of a study product.",
            (
                _subject(),
                Column("product", "string", "Product name as in the protocol."),
                Column("administration_date", "date", "Date given."),
                Column("study_day", "integer", "Study day (infusion = day 0).", required=False),
                Column("dose", "number", "Dose in dose_unit.", minimum=0),
                Column("dose_unit", "string", "Unit.", allowed=("mg/m2", "mg/kg", "cells/kg")),
            ),
            key=("subject_id", "product", "administration_date"),
        ),
        Table(
            "adverse_events",
            "One row per adverse event episode, graded on its scale, with attribution per product.",
            (
                _subject(),
                Column(
                    "ae_id",
                    "string",
                    "Adverse event identifier, unique in the table.",
                    identifier=True,
                ),
                Column("term", "string", "CTCAE term (or CRS / ICANS / CRES)."),
                Column("soc", "string", "MedDRA system organ class."),
                Column("grade", "integer", "Worst grade of the episode.", minimum=1, maximum=5),
                Column("scale", "string", "Grading scale.", allowed=AE_SCALES),
                Column("onset_date", "date", "Onset."),
                Column("resolution_date", "date", "Resolved.", required=False),
                Column("serious", "boolean", "Serious adverse event (ICH E2A)."),
                # dataset_tables() inserts here one attribution column per protocol product.
                Column("dlt", "boolean", "Adjudicated dose-limiting toxicity.", required=False),
            ),
            key=("ae_id",),
        ),
        Table(
            "dlt_evaluations",
            "One row per infused subject: DLT evaluability and outcome over the DLT window.",
            (
                _subject(),
                Column("dose_level", "integer", "Dose level received.", minimum=1),
                Column("evaluable", "boolean", "Evaluable for DLT."),
                Column("dlt", "boolean", "At least one DLT in the window."),
                Column("window_start", "date", "DLT window start (infusion)."),
                Column("window_end", "date", "DLT window end (day 28)."),
                Column("reason", "string", "Why (non-evaluable, which DLT).", required=False),
            ),
            key=("subject_id",),
        ),
        Table(
            "escalation",
            "One row per escalation cohort: who was treated, the DLTs and the decision taken.",
            (
                Column("cohort", "integer", "Cohort number, 1-based.", minimum=1),
                Column("dose_level", "integer", "Dose level of the cohort.", minimum=1),
                Column("n_patients", "integer", "DLT-evaluable patients.", minimum=0),
                Column("n_dlt", "integer", "Patients with a DLT.", minimum=0),
                Column(
                    "decision", "string", "Decision after the cohort.", allowed=ESCALATION_DECISIONS
                ),
                Column("reason", "string", "Rule that decided."),
                Column("decision_date", "date", "Safety review date.", required=False),
            ),
            key=("cohort",),
        ),
        Table(
            "lesions",
            "One row per lesion: baseline target and non-target lesions, and new lesions.",
            (
                _subject(),
                Column(
                    "lesion_id",
                    "string",
                    "Lesion identifier within the subject.",
                    identifier=True,
                ),
                Column(
                    "organ",
                    "string",
                    "Organ or site; all lymph nodes count as one organ.",
                    max_length=MAX_TEXT_CHARS,
                ),
                Column("lymph_node", "boolean", "Lymph node (short axis measured)."),
                Column("category", "string", "RECIST role.", allowed=LESION_CATEGORIES),
                Column("method", "string", "Imaging method.", required=False, allowed=METHODS),
                Column(
                    "slice_thickness_mm",
                    "number",
                    "CT slice thickness, mm.",
                    False,
                    minimum=0,
                    maximum=MAX_SLICE_MM,
                ),
            ),
            key=("subject_id", "lesion_id"),
        ),
        Table(
            "tumour_assessments",
            "One row per scan (baseline included): date and non-target disease as a whole.",
            (
                _subject(),
                Column("assessment_date", "date", "Scan date."),
                Column("baseline", "boolean", "The baseline scan (one per subject)."),
                Column(
                    "non_target_status",
                    "string",
                    "Non-target disease at follow-up (empty at baseline or with no non-targets).",
                    required=False,
                    allowed=NON_TARGET_STATUSES,
                ),
                Column(
                    "non_target_increased",
                    "boolean",
                    "iRECIST: non-target disease increased since the previous scan.",
                    required=False,
                ),
            ),
            key=("subject_id", "assessment_date"),
        ),
        Table(
            "lesion_measurements",
            "One row per lesion per scan: diameter or state (targets, and new lesions).",
            (
                _subject(),
                Column("assessment_date", "date", "Scan; must exist in tumour_assessments."),
                Column(
                    "lesion_id",
                    "string",
                    "Lesion; must exist in lesions for this subject.",
                    identifier=True,
                ),
                Column("state", "string", "What the reader recorded.", allowed=LESION_STATES),
                Column(
                    "diameter_mm",
                    "number",
                    "Longest diameter (short axis for a node), mm; a split lesion: the sum of "
                    "its fragments (RECIST 1.1 section 4.3.2).",
                    required=False,
                    minimum=0,
                    maximum=MAX_LESION_MM,
                ),
                Column(
                    "merged_into",
                    "string",
                    "State 'merged': lesion it joined.",
                    False,
                    identifier=True,
                ),
                Column("equivocal", "boolean", "New lesion: equivocal.", required=False),
                Column(
                    "increased",
                    "boolean",
                    "iRECIST, unmeasured new lesion: increased since the previous scan.",
                    required=False,
                ),
            ),
            key=("subject_id", "assessment_date", "lesion_id"),
        ),
        Table(
            "kinetics",
            "One row per sample: CAR transgene copies per ug genomic DNA (qPCR).",
            (
                _subject(),
                Column("matrix", "string", "Sample matrix.", allowed=("blood", "tumour")),
                Column(
                    "study_day",
                    "number",
                    "Study day of the sample (infusion = 0).",
                    minimum=STUDY_DAY_RANGE[0],
                    maximum=STUDY_DAY_RANGE[1],
                ),
                Column("sample_date", "date", "Sample date.", required=False),
                Column(
                    "copies_per_ug",
                    "number",
                    "Copies/ug gDNA; empty when reported below the LLOQ.",
                    required=False,
                    minimum=0,
                    maximum=MAX_COPIES_PER_UG,
                ),
                Column(
                    "lloq",
                    "number",
                    "Lower limit of quantification, copies/ug.",
                    minimum=0,
                    maximum=MAX_COPIES_PER_UG,
                ),
            ),
            key=("subject_id", "matrix", "study_day"),
        ),
        Table(
            "disposition",
            "One row per subject: progression, death, new therapy, last contact, off-study.",
            (
                _subject(),
                Column(
                    "progression_date",
                    "date",
                    "Investigator-documented progression (radiological or clinical).",
                    required=False,
                ),
                Column("death_date", "date", "Death.", required=False),
                Column(
                    "death_cause",
                    "string",
                    'Cause of death; "adverse event: TERM" when an AE caused it (grade 5 AE).',
                    required=False,
                ),
                Column(
                    "new_therapy_date", "date", "Start of new anticancer therapy.", required=False
                ),
                Column("last_contact_date", "date", "Last date known alive (or death date)."),
                Column("off_study_date", "date", "Off study.", required=False),
                Column(
                    "off_study_reason",
                    "string",
                    "Why off study.",
                    required=False,
                    allowed=OFF_STUDY_REASONS,
                ),
            ),
            key=("subject_id",),
        ),
        Table(
            "medications",
            "Medications given to manage an adverse event (tocilizumab, corticosteroids, ...).",
            (
                _subject(),
                Column("medication_id", "string", "Medication record identifier, unique."),
                Column("medication", "string", "Generic name, e.g. tocilizumab."),
                Column("ae_id", "string", "The adverse event it treats.", required=False),
                Column("indication", "string", "What it is given for, e.g. CRS.", required=False),
                Column("start_date", "date", "First administration."),
                Column("end_date", "date", "Last administration.", required=False),
                Column("dose", "number", "Dose per administration.", False, minimum=0),
                Column("dose_unit", "string", "Unit of dose.", False, allowed=("mg",)),
                Column(
                    "interval_hours",
                    "integer",
                    "Repeated every so many hours (empty: once).",
                    required=False,
                    minimum=1,
                ),
            ),
            key=("medication_id",),
        ),
        Table(
            "lab_results",
            "Laboratory results (screening labs: blood counts, liver and kidney function, "
            "coagulation), with the laboratory's normal range where known.",
            (
                _subject(),
                Column("collection_date", "date", "Date the sample was taken."),
                Column("test", "string", "Which test.", allowed=tuple(LAB_TESTS)),
                Column("value", "number", "Result, in the unit given.", minimum=0),
                Column(
                    "unit",
                    "string",
                    "Unit of value and range (empty: a ratio such as INR).",
                    required=False,
                    allowed=tuple(sorted({u for _, u in LAB_TESTS.values()})),
                ),
                Column("normal_low", "number", "Lower limit of normal.", False, minimum=0),
                Column("normal_high", "number", "Upper limit of normal.", False, minimum=0),
            ),
            key=("subject_id", "collection_date", "test"),
        ),
        Table(
            "vital_signs",
            "Vital signs and body measurements (weight, height, oxygen saturation, ...).",
            (
                _subject(),
                Column("measurement_date", "date", "Date measured."),
                Column("test", "string", "Which measurement.", allowed=tuple(VITAL_SIGNS)),
                Column("value", "number", "Result, in the unit given.", minimum=0),
                Column(
                    "unit",
                    "string",
                    "Unit of value.",
                    allowed=tuple(sorted(set(VITAL_SIGNS.values()))),
                ),
            ),
            key=("subject_id", "measurement_date", "test"),
        ),
    )
}


#: An adverse event's attribution to a product is in the column of this prefix and the
#: product's id (``attribution_car_t``).
ATTRIBUTION_PREFIX = "attribution_"


def attribution_column(product: str) -> str:
    """The adverse_events column that holds the attribution to ``product`` (its protocol id)."""
    return ATTRIBUTION_PREFIX + product


def dataset_tables(products: Sequence[str] | None = None) -> dict[str, Table]:
    """The tables of a dataset whose adverse events are attributed to ``products`` (the protocol's
    ``product_ids``; default: the shipped NCT05681650's): ``TABLES``, with one adverse_events
    column ``attribution_<id>`` per product after ``serious`` (NCI CTEP: one attribution per
    study agent)."""
    if products is None:
        from hyposti.protocol import load_protocol

        products = load_protocol().product_ids
    return {**TABLES, "adverse_events": _adverse_events_table(tuple(products))}


@cache
def _adverse_events_table(products: tuple[str, ...]) -> Table:
    table = TABLES["adverse_events"]
    at = table.column_names.index("serious") + 1
    attributions = tuple(
        Column(
            attribution_column(product),
            "string",
            f"Relation to the protocol's product {product}.",
            allowed=ATTRIBUTION,
        )
        for product in products
    )
    return replace(table, columns=(*table.columns[:at], *attributions, *table.columns[at:]))


def dataset_schema(products: Sequence[str] | None = None) -> dict[str, Any]:
    """The whole schema of a dataset attributing to ``products`` (default: the shipped protocol's)
    as plain data, for printing, the web app export and SDTM mapping."""
    return {
        "tables": [
            {
                "name": t.name,
                "description": t.description,
                "key": list(t.key),
                "optional": t.optional,
                "columns": [
                    {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(c).items()}
                    for c in t.columns
                ],
            }
            for t in dataset_tables(products).values()
        ]
    }
