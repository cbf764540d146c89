"""Lab grades at every threshold of the 40 criteria, checked against NCI's CTCAE v5.0 wording.

Each row gives a value at or just beyond a boundary, the grade NCI's text assigns it, and the piece
of NCI's grade text (ctcae_v5.csv) that the expectation is read from; the test checks that the text
really says so, so the expected grades come from NCI, not from admiral's code.
"""

from __future__ import annotations

import pytest

from hyposti.errors import InputError
from hyposti.safety.dictionary import lookup
from hyposti.safety.lab_grading import ERRATA, grade_lab, lab_criteria

U = "U/L"
MMOL = "mmol/L"
GIGA = "10^9/L"
# (criterion, unit, limits, value, expected grade, NCI text of that grade read for it)
ROWS = [
    ("Anemia", "g/L", {"lln": 120}, 120, 0, None),
    ("Anemia", "g/L", {"lln": 120}, 119, 1, "<LLN - 100 g/L"),
    ("Anemia", "g/L", {"lln": 120}, 100, 1, "<LLN - 100 g/L"),
    ("Anemia", "g/L", {"lln": 120}, 99.9, 2, "<100 - 80g/L"),
    ("Anemia", "g/L", {"lln": 120}, 80, 2, "<100 - 80g/L"),
    ("Anemia", "g/L", {"lln": 120}, 79.9, 3, "<80 g/L"),
    ("Leukocytosis", GIGA, {}, 100, 0, None),
    ("Leukocytosis", GIGA, {}, 100.1, 3, ">100,000/mm3"),
    ("Activated partial thromboplastin time prolonged", "s", {"uln": 40}, 40, 0, None),
    (
        "Activated partial thromboplastin time prolonged",
        "s",
        {"uln": 40},
        40.1,
        1,
        ">ULN - 1.5 x ULN",
    ),
    (
        "Activated partial thromboplastin time prolonged",
        "s",
        {"uln": 40},
        60,
        1,
        ">ULN - 1.5 x ULN",
    ),
    (
        "Activated partial thromboplastin time prolonged",
        "s",
        {"uln": 40},
        60.1,
        2,
        ">1.5 - 2.5 x ULN",
    ),
    (
        "Activated partial thromboplastin time prolonged",
        "s",
        {"uln": 40},
        100,
        2,
        ">1.5 - 2.5 x ULN",
    ),
    ("Activated partial thromboplastin time prolonged", "s", {"uln": 40}, 100.1, 3, ">2.5 x ULN"),
    ("Alanine aminotransferase increased", U, {"uln": 40, "baseline": 30}, 40, 0, None),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 30},
        41,
        1,
        ">ULN - 3.0 x ULN",
    ),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 30},
        120,
        1,
        ">ULN - 3.0 x ULN",
    ),
    ("Alanine aminotransferase increased", U, {"uln": 40}, 121, 2, ">3.0 - 5.0 x ULN"),
    ("Alanine aminotransferase increased", U, {"uln": 40}, 200, 2, ">3.0 - 5.0 x ULN"),
    ("Alanine aminotransferase increased", U, {"uln": 40}, 201, 3, ">5.0 - 20.0 x ULN"),
    ("Alanine aminotransferase increased", U, {"uln": 40}, 800, 3, ">5.0 - 20.0 x ULN"),
    ("Alanine aminotransferase increased", U, {"uln": 40}, 801, 4, ">20.0 x ULN"),
    ("Alanine aminotransferase increased", U, {"uln": 40, "baseline": 60}, 89, 0, None),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 60},
        90,
        1,
        "1.5 - 3.0 x baseline",
    ),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 60},
        180,
        1,
        "1.5 - 3.0 x baseline",
    ),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 60},
        181,
        2,
        ">3.0 - 5.0 x baseline",
    ),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 60},
        301,
        3,
        ">5.0 - 20.0 x baseline",
    ),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 60},
        1200,
        3,
        ">5.0 - 20.0 x baseline",
    ),
    (
        "Alanine aminotransferase increased",
        U,
        {"uln": 40, "baseline": 60},
        1201,
        4,
        ">20.0 x baseline",
    ),
    ("Aspartate aminotransferase increased", U, {"uln": 35}, 105, 1, ">ULN - 3.0 x ULN"),
    ("Aspartate aminotransferase increased", U, {"uln": 35}, 105.1, 2, ">3.0 - 5.0 x ULN"),
    ("Aspartate aminotransferase increased", U, {"uln": 35}, 175.1, 3, ">5.0 - 20.0 x ULN"),
    ("Aspartate aminotransferase increased", U, {"uln": 35}, 700.1, 4, ">20.0 x ULN"),
    ("Aspartate aminotransferase increased", U, {"uln": 35, "baseline": 50}, 74.9, 0, None),
    (
        "Aspartate aminotransferase increased",
        U,
        {"uln": 35, "baseline": 50},
        75,
        1,
        "1.5 - 3.0 x baseline",
    ),
    ("Alkaline phosphatase increased", U, {"uln": 120}, 300, 1, ">ULN - 2.5 x ULN"),
    ("Alkaline phosphatase increased", U, {"uln": 120}, 300.1, 2, ">2.5 - 5.0 x ULN"),
    ("Alkaline phosphatase increased", U, {"uln": 120}, 600, 2, ">2.5 - 5.0 x ULN"),
    ("Alkaline phosphatase increased", U, {"uln": 120}, 600.1, 3, ">5.0 - 20.0 x ULN"),
    ("Alkaline phosphatase increased", U, {"uln": 120}, 2400, 3, ">5.0 - 20.0 x ULN"),
    ("Alkaline phosphatase increased", U, {"uln": 120}, 2400.1, 4, ">20.0 x ULN"),
    ("Alkaline phosphatase increased", U, {"uln": 120, "baseline": 150}, 299, 0, None),
    (
        "Alkaline phosphatase increased",
        U,
        {"uln": 120, "baseline": 150},
        300,
        1,
        "2.0 - 2.5 x baseline",
    ),
    (
        "Alkaline phosphatase increased",
        U,
        {"uln": 120, "baseline": 150},
        375,
        1,
        "2.0 - 2.5 x baseline",
    ),
    (
        "Alkaline phosphatase increased",
        U,
        {"uln": 120, "baseline": 150},
        375.1,
        2,
        ">2.5 - 5.0 x baseline",
    ),
    ("GGT increased", U, {"uln": 60}, 150, 1, ">ULN - 2.5 x ULN"),
    ("GGT increased", U, {"uln": 60}, 150.1, 2, ">2.5 - 5.0 x ULN"),
    ("GGT increased", U, {"uln": 60}, 300.1, 3, ">5.0 - 20.0 x ULN"),
    ("GGT increased", U, {"uln": 60}, 1200.1, 4, ">20.0 x ULN"),
    ("GGT increased", U, {"uln": 60, "baseline": 80}, 159, 0, None),
    ("GGT increased", U, {"uln": 60, "baseline": 80}, 160, 1, "2.0 - 2.5 x baseline"),
    ("GGT increased", U, {"uln": 60, "baseline": 80}, 200.1, 2, ">2.5 - 5.0 x baseline"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 21, 0, None),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 21.1, 1, ">ULN - 1.5 x ULN"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 31.5, 1, ">ULN - 1.5 x ULN"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 31.6, 2, ">1.5 - 3.0 x ULN"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 63.1, 3, ">3.0 - 10.0 x ULN"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 210, 3, ">3.0 - 10.0 x ULN"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21}, 210.1, 4, ">10.0 x ULN"),
    ("Blood bilirubin increased", "umol/L", {"uln": 21, "baseline": 30}, 30, 0, None),
    (
        "Blood bilirubin increased",
        "umol/L",
        {"uln": 21, "baseline": 30},
        30.1,
        1,
        "> 1.0 - 1.5 x baseline",
    ),
    (
        "Blood bilirubin increased",
        "umol/L",
        {"uln": 21, "baseline": 30},
        45.1,
        2,
        ">1.5 - 3.0 x baseline",
    ),
    ("Blood lactate dehydrogenase increased", U, {"uln": 250}, 250, 0, None),
    ("Blood lactate dehydrogenase increased", U, {"uln": 250}, 251, 1, ">ULN"),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.7, 0, None),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.5, 1, "<LLN - 0.5 x 10e9 /L"),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.49, 2, "<0.5 - 0.2 x 10e9 /L"),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.2, 2, "<0.5 - 0.2 x 10e9 /L"),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.19, 3, "<200 - 50/mm3"),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.05, 3, "<200 - 50/mm3"),
    ("CD4 lymphocytes decreased", GIGA, {"lln": 0.7}, 0.049, 4, "<0.05 x 10e9 /L"),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 5.2, 0, None),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 7.75, 1, ">ULN - 7.75 mmol/L"),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 7.76, 2, ">7.75 - 10.34 mmol/L"),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 10.34, 2, ">7.75 - 10.34 mmol/L"),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 10.35, 3, ">10.34 - 12.92 mmol/L"),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 12.92, 3, ">10.34 - 12.92 mmol/L"),
    ("Cholesterol high", MMOL, {"uln": 5.2}, 12.93, 4, ">12.92 mmol/L"),
    ("CPK increased", U, {"uln": 200}, 200, 0, None),
    ("CPK increased", U, {"uln": 200}, 500, 1, ">ULN - 2.5 x ULN"),
    ("CPK increased", U, {"uln": 200}, 501, 2, ">2.5 x ULN - 5 x ULN"),
    ("CPK increased", U, {"uln": 200}, 1000, 2, ">2.5 x ULN - 5 x ULN"),
    ("CPK increased", U, {"uln": 200}, 1001, 3, ">5 x ULN - 10 x ULN"),
    ("CPK increased", U, {"uln": 200}, 2000, 3, ">5 x ULN - 10 x ULN"),
    ("CPK increased", U, {"uln": 200}, 2001, 4, ">10 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 100, 0, None),
    ("Creatinine increased", "umol/L", {"uln": 100}, 101, 1, ">ULN - 1.5 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 150, 1, ">ULN - 1.5 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 151, 2, ">1.5 - 3.0 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 300, 2, ">1.5 - 3.0 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 301, 3, ">3.0 - 6.0 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 600, 3, ">3.0 - 6.0 x ULN"),
    ("Creatinine increased", "umol/L", {"uln": 100}, 601, 4, ">6.0 x ULN"),
    (
        "Creatinine increased",
        "umol/L",
        {"uln": 100, "baseline": 60},
        91,
        2,
        ">1.5 - 3.0 x baseline",
    ),
    ("Creatinine increased", "umol/L", {"uln": 100, "baseline": 60}, 181, 3, ">3.0 x baseline"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 2.0, 0, None),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 1.99, 1, "<1.0 - 0.75 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 1.5, 1, "<1.0 - 0.75 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 1.49, 2, "<0.75 - 0.5 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 1.0, 2, "<0.75 - 0.5 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 0.99, 3, "<0.5 - 0.25 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 0.5, 3, "<0.5 - 0.25 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0}, 0.49, 4, "absolute value <50 mg/dL"),
    ("Fibrinogen decreased", "g/L", {"lln": 4.0}, 0.99, 4, "<0.25 x LLN"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0, "baseline": 3.0}, 1.8, 2, "25 - <50% decrease"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0, "baseline": 3.0}, 1.5, 3, "50 - <75% decrease"),
    ("Fibrinogen decreased", "g/L", {"lln": 2.0, "baseline": 8.0}, 1.9, 4, "75% decrease"),
    ("Haptoglobin decreased", "g/L", {"lln": 0.3}, 0.3, 0, None),
    ("Haptoglobin decreased", "g/L", {"lln": 0.3}, 0.29, 1, "<LLN"),
    ("Hemoglobin increased", "g/L", {"uln": 175}, 175, 0, None),
    ("Hemoglobin increased", "g/L", {"uln": 175}, 176, 1, "Increase in >0 - 2 g/dL"),
    ("Hemoglobin increased", "g/L", {"uln": 175}, 195, 1, "Increase in >0 - 2 g/dL"),
    ("Hemoglobin increased", "g/L", {"uln": 175}, 196, 2, "Increase in >2 - 4 g/dL"),
    ("Hemoglobin increased", "g/L", {"uln": 175}, 215, 2, "Increase in >2 - 4 g/dL"),
    ("Hemoglobin increased", "g/L", {"uln": 175}, 216, 3, "Increase in >4 g/dL"),
    ("INR increased", "INR", {"baseline": 1.0}, 1.0, 0, None),
    ("INR increased", "INR", {"baseline": 1.0}, 1.21, 1, ">1.2 - 1.5"),
    ("INR increased", "INR", {"baseline": 1.0}, 1.5, 1, ">1.2 - 1.5"),
    ("INR increased", "INR", {"baseline": 1.0}, 1.51, 2, ">1.5 - 2.5"),
    ("INR increased", "INR", {"baseline": 1.0}, 2.5, 2, ">1.5 - 2.5"),
    ("INR increased", "INR", {"baseline": 1.0}, 2.51, 3, ">2.5"),
    (
        "INR increased",
        "INR",
        {"baseline": 1.1},
        1.11,
        1,
        ">1 - 1.5 x baseline if on anticoagulation",
    ),
    ("Lipase increased", U, {"uln": 60}, 60, 0, None),
    ("Lipase increased", U, {"uln": 60}, 90, 1, ">ULN - 1.5 x ULN"),
    ("Lipase increased", U, {"uln": 60}, 90.1, 2, ">1.5 - 2.0 x ULN"),
    ("Lipase increased", U, {"uln": 60}, 120, 2, ">1.5 - 2.0 x ULN"),
    ("Lipase increased", U, {"uln": 60}, 120.1, 3, ">2.0 - 5.0 x ULN with signs or symptoms"),
    ("Lipase increased", U, {"uln": 60}, 300, 3, ">2.0 - 5.0 x ULN with signs or symptoms"),
    ("Lipase increased", U, {"uln": 60}, 300.1, 4, ">5.0 x ULN and with signs or symptoms"),
    ("Serum amylase increased", U, {"uln": 100}, 150, 1, ">ULN - 1.5 x ULN"),
    ("Serum amylase increased", U, {"uln": 100}, 150.1, 2, ">1.5 - 2.0 x ULN"),
    (
        "Serum amylase increased",
        U,
        {"uln": 100},
        200.1,
        3,
        ">2.0 - 5.0 x ULN with signs or symptoms",
    ),
    ("Serum amylase increased", U, {"uln": 100}, 500.1, 4, ">5.0 x ULN and with signs or symptoms"),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 1.0, 0, None),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 0.8, 1, "<LLN - 0.8 x 10e9/L"),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 0.79, 2, "<0.8 - 0.5 x 10e9 /L"),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 0.5, 2, "<0.8 - 0.5 x 10e9 /L"),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 0.49, 3, "<0.5 - 0.2 x 10e9 /L"),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 0.2, 3, "<0.5 - 0.2 x 10e9 /L"),
    ("Lymphocyte count decreased", GIGA, {"lln": 1.0}, 0.19, 4, "<0.2 x 10e9 /L"),
    ("Lymphocyte count increased", GIGA, {}, 4.0, 0, None),
    ("Lymphocyte count increased", GIGA, {}, 4.01, 2, ">4000/mm3 - 20,000/mm3"),
    ("Lymphocyte count increased", GIGA, {}, 20, 2, ">4000/mm3 - 20,000/mm3"),
    ("Lymphocyte count increased", GIGA, {}, 20.01, 3, ">20,000/mm3"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 1.8, 0, None),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 1.79, 1, "<LLN - 1.5 x 10e9 /L"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 1.5, 1, "<LLN - 1.5 x 10e9 /L"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 1.49, 2, "<1.5 - 1.0 x 10e9 /L"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 1.0, 2, "<1.5 - 1.0 x 10e9 /L"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 0.99, 3, "<1.0 - 0.5 x 10e9 /L"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 0.5, 3, "<1.0 - 0.5 x 10e9 /L"),
    ("Neutrophil count decreased", GIGA, {"lln": 1.8}, 0.49, 4, "<0.5 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 150, 0, None),
    ("Platelet count decreased", GIGA, {"lln": 150}, 149, 1, "<LLN - 75.0 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 75, 1, "<LLN - 75.0 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 74.9, 2, "<75.0 - 50.0 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 50, 2, "<75.0 - 50.0 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 49.9, 3, "<50.0 - 25.0 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 25, 3, "<50.0 - 25.0 x 10e9 /L"),
    ("Platelet count decreased", GIGA, {"lln": 150}, 24.9, 4, "<25.0 x 10e9 /L"),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 4.0, 0, None),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 3.0, 1, "<LLN - 3.0 x 10e9 /L"),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 2.99, 2, "<3.0 - 2.0 x 10e9 /L"),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 2.0, 2, "<3.0 - 2.0 x 10e9 /L"),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 1.99, 3, "<2.0 - 1.0 x 10e9 /L"),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 1.0, 3, "<2.0 - 1.0 x 10e9 /L"),
    ("White blood cell decreased", GIGA, {"lln": 4.0}, 0.99, 4, "<1.0 x 10e9 /L"),
    ("Acidosis", "pH", {"lln": 7.35}, 7.35, 0, None),
    ("Acidosis", "pH", {"lln": 7.35}, 7.34, 1, "pH <normal, but >=7.3"),
    ("Acidosis", "pH", {"lln": 7.35}, 7.3, 1, "pH <normal, but >=7.3"),
    ("Acidosis", "pH", {"lln": 7.35}, 7.29, 3, "pH <7.3"),
    ("Alkalosis", "pH", {"uln": 7.45}, 7.45, 0, None),
    ("Alkalosis", "pH", {"uln": 7.45}, 7.46, 1, "pH >normal, but <=7.5"),
    ("Alkalosis", "pH", {"uln": 7.45}, 7.5, 1, "pH >normal, but <=7.5"),
    ("Alkalosis", "pH", {"uln": 7.45}, 7.51, 3, "pH >7.5"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 2.6, 0, None),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 2.61, 1, ">ULN - 2.9 mmol/L"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 2.9, 1, ">ULN - 2.9 mmol/L"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 2.91, 2, ">2.9 - 3.1 mmol/L"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 3.1, 2, ">2.9 - 3.1 mmol/L"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 3.11, 3, ">3.1 - 3.4 mmol/L"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 3.4, 3, ">3.1 - 3.4 mmol/L"),
    ("Hypercalcemia", MMOL, {"uln": 2.6}, 3.41, 4, ">3.4 mmol/L"),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.3, 0, None),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.5, 1, "Ionized calcium >ULN - 1.5 mmol/L"),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.51, 2, "Ionized calcium >1.5 - 1.6 mmol/L"),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.6, 2, "Ionized calcium >1.5 - 1.6 mmol/L"),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.61, 3, "Ionized calcium >1.6 - 1.8 mmol/L"),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.8, 3, "Ionized calcium >1.6 - 1.8 mmol/L"),
    ("Hypercalcemia (Ionized)", MMOL, {"uln": 1.3}, 1.81, 4, "Ionized calcium >1.8 mmol/L"),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 5.1, 0, None),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 5.5, 1, ">ULN - 5.5 mmol/L"),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 5.51, 2, ">5.5 - 6.0 mmol/L"),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 6.0, 2, ">5.5 - 6.0 mmol/L"),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 6.01, 3, ">6.0 - 7.0 mmol/L"),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 7.0, 3, ">6.0 - 7.0 mmol/L"),
    ("Hyperkalemia", MMOL, {"uln": 5.1}, 7.01, 4, ">7.0 mmol/L"),
    ("Hypermagnesemia", MMOL, {"uln": 1.0}, 1.0, 0, None),
    ("Hypermagnesemia", MMOL, {"uln": 1.0}, 1.23, 1, ">ULN - 1.23 mmol/L"),
    ("Hypermagnesemia", MMOL, {"uln": 1.0}, 1.24, 3, ">1.23 - 3.30 mmol/L"),
    ("Hypermagnesemia", MMOL, {"uln": 1.0}, 3.3, 3, ">1.23 - 3.30 mmol/L"),
    ("Hypermagnesemia", MMOL, {"uln": 1.0}, 3.31, 4, ">3.30 mmol/L"),
    ("Hypernatremia", MMOL, {"uln": 145}, 145, 0, None),
    ("Hypernatremia", MMOL, {"uln": 145}, 150, 1, ">ULN - 150 mmol/L"),
    ("Hypernatremia", MMOL, {"uln": 145}, 150.1, 2, ">150 - 155 mmol/L"),
    ("Hypernatremia", MMOL, {"uln": 145}, 155, 2, ">150 - 155 mmol/L"),
    ("Hypernatremia", MMOL, {"uln": 145}, 155.1, 3, ">155 - 160 mmol/L"),
    ("Hypernatremia", MMOL, {"uln": 145}, 160, 3, ">155 - 160 mmol/L"),
    ("Hypernatremia", MMOL, {"uln": 145}, 160.1, 4, ">160 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 1.7, 0, None),
    ("Hypertriglyceridemia", MMOL, {}, 1.71, 1, "1.71 mmol/L - 3.42 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 3.42, 1, "1.71 mmol/L - 3.42 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 3.43, 2, ">3.42 mmol/L - 5.7 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 5.7, 2, ">3.42 mmol/L - 5.7 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 5.71, 3, ">5.7 mmol/L - 11.4 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 11.4, 3, ">5.7 mmol/L - 11.4 mmol/L"),
    ("Hypertriglyceridemia", MMOL, {}, 11.41, 4, ">11.4 mmol/L"),
    ("Hyperuricemia", "umol/L", {"uln": 420}, 420, 0, None),
    ("Hyperuricemia", "umol/L", {"uln": 420}, 421, 3, ">ULN with physiologic consequences"),
    ("Hypoalbuminemia", "g/L", {"lln": 35}, 35, 0, None),
    ("Hypoalbuminemia", "g/L", {"lln": 35}, 30, 1, "<LLN - 30 g/L"),
    ("Hypoalbuminemia", "g/L", {"lln": 35}, 29.9, 2, "<30 - 20 g/L"),
    ("Hypoalbuminemia", "g/L", {"lln": 35}, 20, 2, "<30 - 20 g/L"),
    ("Hypoalbuminemia", "g/L", {"lln": 35}, 19.9, 3, "<20 g/L"),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 2.1, 0, None),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 2.0, 1, "<LLN - 2.0 mmol/L"),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 1.99, 2, "<2.0 - 1.75 mmol/L"),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 1.75, 2, "<2.0 - 1.75 mmol/L"),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 1.74, 3, "<1.75 - 1.5 mmol/L"),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 1.5, 3, "<1.75 - 1.5 mmol/L"),
    ("Hypocalcemia", MMOL, {"lln": 2.1}, 1.49, 4, "<1.5 mmol/L"),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 1.15, 0, None),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 1.0, 1, "Ionized calcium <LLN - 1.0 mmol/L"),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 0.99, 2, "Ionized calcium <1.0 - 0.9 mmol/L"),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 0.9, 2, "Ionized calcium <1.0 - 0.9 mmol/L"),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 0.89, 3, "Ionized calcium <0.9 - 0.8 mmol/L"),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 0.8, 3, "Ionized calcium <0.9 - 0.8 mmol/L"),
    ("Hypocalcemia (Ionized)", MMOL, {"lln": 1.15}, 0.79, 4, "Ionized calcium <0.8 mmol/L"),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 3.9, 0, None),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 3.0, 1, "<LLN - 3.0 mmol/L"),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 2.99, 2, "<3.0 - 2.2 mmol/L"),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 2.2, 2, "<3.0 - 2.2 mmol/L"),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 2.19, 3, "<2.2 - 1.7 mmol/L"),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 1.7, 3, "<2.2 - 1.7 mmol/L"),
    ("Hypoglycemia", MMOL, {"lln": 3.9}, 1.69, 4, "<1.7 mmol/L"),
    ("Hypokalemia", MMOL, {"lln": 3.5}, 3.5, 0, None),
    ("Hypokalemia", MMOL, {"lln": 3.5}, 3.49, 2, "Symptomatic with <LLN - 3.0 mmol/L"),
    ("Hypokalemia", MMOL, {"lln": 3.5}, 3.0, 2, "Symptomatic with <LLN - 3.0 mmol/L"),
    ("Hypokalemia", MMOL, {"lln": 3.5}, 2.99, 3, "<3.0 - 2.5 mmol/L"),
    ("Hypokalemia", MMOL, {"lln": 3.5}, 2.5, 3, "<3.0 - 2.5 mmol/L"),
    ("Hypokalemia", MMOL, {"lln": 3.5}, 2.49, 4, "<2.5 mmol/L"),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.7, 0, None),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.5, 1, "<LLN - 0.5 mmol/L"),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.49, 2, "<0.5 - 0.4 mmol/L"),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.4, 2, "<0.5 - 0.4 mmol/L"),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.39, 3, "<0.4 - 0.3 mmol/L"),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.3, 3, "<0.4 - 0.3 mmol/L"),
    ("Hypomagnesemia", MMOL, {"lln": 0.7}, 0.29, 4, "<0.3 mmol/L"),
    ("Hyponatremia", MMOL, {"lln": 135}, 135, 0, None),
    ("Hyponatremia", MMOL, {"lln": 135}, 130, 1, "<LLN - 130 mmol/L"),
    ("Hyponatremia", MMOL, {"lln": 135}, 129, 3, "125-129 mmol/L symptomatic"),
    ("Hyponatremia", MMOL, {"lln": 135}, 125, 3, "125-129 mmol/L symptomatic"),
    ("Hyponatremia", MMOL, {"lln": 135}, 124, 3, "120-124 mmol/L regardless of symptoms"),
    ("Hyponatremia", MMOL, {"lln": 135}, 120, 3, "120-124 mmol/L regardless of symptoms"),
    ("Hyponatremia", MMOL, {"lln": 135}, 119, 4, "<120 mmol/L"),
]
# Criteria whose NCI grade depends on symptoms the value cannot show; admiral (and hyposti)
# assume the worst case and say so.
WORST_CASE = {
    "INR increased",
    "Lipase increased",
    "Serum amylase increased",
    "Hyperuricemia",
    "Hypokalemia",
    "Hyponatremia",
}


@pytest.mark.parametrize(("name", "unit", "limits", "value", "expected", "nci"), ROWS)
def test_grade_at_boundary_follows_nci_text(name, unit, limits, value, expected, nci):
    result = grade_lab(name, value, unit, **limits)
    assert result.grade == expected, result
    if nci is not None:
        assert nci in lookup(result.ctcae_term).grade_text(expected)
        assert result.ctcae_text == lookup(result.ctcae_term).grade_text(expected)


def test_every_criterion_is_checked_at_its_boundaries():
    assert {c.name for c in lab_criteria()} == {row[0] for row in ROWS}
    assert len(lab_criteria()) == 40


def test_every_value_reachable_grade_is_exercised():
    for criterion in lab_criteria():
        tested = {row[4] for row in ROWS if row[0] == criterion.name}
        assert set(criterion.value_graded) <= tested, criterion.name


@pytest.mark.parametrize("name", sorted(WORST_CASE))
def test_worst_case_assumptions_are_reported(name):
    row = next(r for r in ROWS if r[0] == name and r[4] > 0)
    assert "worst case" in grade_lab(row[0], row[3], row[1], **row[2]).assumption


def test_grades_needing_clinical_findings_are_listed():
    # Anemia grade 4 is "Life-threatening consequences; urgent intervention indicated" (NCI).
    anemia = grade_lab("Anemia", 70, "g/L", lln=120)
    assert anemia.clinical_only_grades == {
        4: "Life-threatening consequences; urgent intervention indicated",
        5: "Death",
    }
    # Hyperuricemia grade 1 ("without physiologic consequences") cannot be told from the value.
    assert 1 in grade_lab("Hyperuricemia", 500, "umol/L", uln=420).clinical_only_grades


def test_missing_limit_makes_the_value_not_gradable():
    result = grade_lab("Platelet count decreased", 100, "10^9/L")
    assert result.grade is None
    assert "lln" in result.not_gradable_reason
    # Below the absolute grade-2 threshold the limit is not needed.
    assert grade_lab("Platelet count decreased", 74, "10^9/L").grade == 2


def test_baseline_above_uln_switches_to_baseline_multiples():
    # NCI: ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if abnormal".
    # ALT 200 with ULN 40 is 5 x ULN -> grade 2 when the baseline was normal ...
    assert (
        grade_lab("Alanine aminotransferase increased", 200, "U/L", uln=40, baseline=25).grade == 2
    )
    # ... but only 2.5 x an abnormal baseline of 80 -> grade 1 ("1.5 - 3.0 x baseline").
    assert (
        grade_lab("Alanine aminotransferase increased", 200, "U/L", uln=40, baseline=80).grade == 1
    )
    # 100 is 1.25 x that baseline: below grade 1.
    assert (
        grade_lab("Alanine aminotransferase increased", 100, "U/L", uln=40, baseline=80).grade == 0
    )


@pytest.mark.parametrize("unit", ["10^9/L", "x10^9/L", "10e9/L", "x 10e9 /L", "10^9/l"])
def test_equivalent_spellings_of_the_si_unit_are_accepted(unit):
    assert grade_lab("Neutrophil count decreased", 0.4, unit).grade == 4


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"test": "Platelet count decreased", "value": 40, "unit": "/mm3"}, "unit"),
        ({"test": "Platelet count decreased", "value": 40, "unit": "G/dL"}, "unit"),
        ({"test": "Platelet count decreased", "value": 40, "unit": ""}, "unit"),
        ({"test": "Platelet count decreased", "value": -1, "unit": "10^9/L"}, "value"),
        ({"test": "Platelet count decreased", "value": float("nan"), "unit": "10^9/L"}, "value"),
        ({"test": "Platelets", "value": 40, "unit": "10^9/L"}, "test"),
        ({"test": "Anemia", "value": 90, "unit": "g/L", "lln": 130, "uln": 120}, "lln"),
        (
            {"test": "Alanine aminotransferase increased", "value": 90, "unit": "", "uln": 40},
            "unit",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs, field):
    with pytest.raises(InputError) as info:
        grade_lab(**kwargs)
    assert info.value.field == field


def test_unknown_test_suggests_close_names():
    with pytest.raises(InputError, match="Platelet count decreased"):
        grade_lab("Platelet count decrease", 40, "10^9/L")


def test_errata_still_match_the_admiral_code():
    import json
    from importlib import resources

    entries = {
        e["TERM"]: e
        for e in json.loads(
            resources.files("hyposti.safety").joinpath("data/ctcae_v5_lab_grading.json").read_text()
        )
    }
    for (name, key), (wrong, _, nci) in ERRATA.items():
        assert entries[name][key].count(wrong) == 1
        assert nci.split(" (")[0].split(" if ")[0] in lookup(name).grade_text(1)
