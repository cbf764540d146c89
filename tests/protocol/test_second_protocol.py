"""A differently shaped protocol drives the same engines: nothing is tied to NCT05681650."""

import datetime as dt
import re

import pytest
import yaml

from hyposti.design import Boin, design_from_protocol, fit
from hyposti.errors import DatasetError, InputError, ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.safety import adjudicate, parse_patient


def _patient(onset: str, grade: int, car_t: str) -> dict:
    """A GD2 trial's patient: attributions to its CAR-T, fludarabine and cyclophosphamide."""
    return {
        "patient_id": "GD2-007",
        "dose_level": 2,
        "cohort": 2,
        "preconditioning_start": "2026-01-05",
        "infusion": "2026-01-10",
        "last_follow_up": "2026-02-20",
        "adverse_events": [
            {
                "id": "AE1",
                "term": "Hypertension",
                "grade": grade,
                "onset": onset,
                "serious": False,
                "attribution": {
                    "gd2_car_t": car_t,
                    "fludarabine": "unrelated",
                    "cyclophosphamide": "unrelated",
                },
            }
        ],
    }


def test_its_design_is_boin_at_its_target(boin_protocol_path):
    design = design_from_protocol(load_protocol(boin_protocol_path))
    assert isinstance(design, Boin)
    assert (design.num_doses, design.target, design.max_n) == (5, 0.25, 30)
    # Liu & Yuan 2015: target 0.25 gives lambda_e = 0.1968, lambda_d = 0.2984.
    table = design.boundaries()
    assert (table.lambda_e, table.lambda_d) == pytest.approx((0.1968, 0.2984), abs=5e-5)
    # 1/3 DLT at dose 1: 0.333 > lambda_d, so BOIN de-escalates; at dose 1 it stays there.
    assert fit(design, "1NNT").next_dose == 1
    assert fit(design, "1NNN").next_dose == 2


def test_its_dlt_definition_is_its_own(boin_protocol_path):
    protocol = load_protocol(boin_protocol_path)
    spec, products = protocol.dlt, protocol.product_ids
    today = dt.date(2026, 3, 1)
    # Grade 3 hypertension, probably related, day 21: a DLT under this protocol's clause.
    inside = adjudicate(parse_patient(_patient("2026-01-31", 3, "probable"), products), spec, today)
    assert inside.events[0].is_dlt
    # Day 22 is outside its 21-day window; 'possible' is not related enough here.
    late = adjudicate(parse_patient(_patient("2026-02-01", 3, "probable"), products), spec, today)
    assert not late.events[0].is_dlt
    possible = adjudicate(
        parse_patient(_patient("2026-01-20", 4, "possible"), products), spec, today
    )
    assert not possible.events[0].is_dlt
    # The same grade 3 event, attributed to NCT05681650's products, is no DLT there (grade 4
    # needed outside CRS/skin).
    shipped = load_protocol()
    nct = _patient("2026-01-20", 3, "probable")
    nct["adverse_events"][0]["attribution"] = {
        "car_t": "probable",
        "nab_paclitaxel": "unrelated",
        "cyclophosphamide": "unrelated",
    }
    verdict = adjudicate(parse_patient(nct, shipped.product_ids), shipped.dlt, today)
    assert not verdict.events[0].is_dlt


def test_it_declares_its_own_products_in_file_order(boin_protocol_path):
    protocol = load_protocol(boin_protocol_path)
    assert protocol.product_ids == ("gd2_car_t", "fludarabine", "cyclophosphamide")
    assert protocol.dlt.related_product == "gd2_car_t"
    assert load_protocol().product_ids == ("car_t", "nab_paclitaxel", "cyclophosphamide")


def test_an_event_attributed_to_a_drug_it_never_gives_is_refused_naming_it(boin_protocol_path):
    products = load_protocol(boin_protocol_path).product_ids
    patient = _patient("2026-01-20", 3, "probable")
    patient["adverse_events"][0]["attribution"]["nab_paclitaxel"] = "possible"
    with pytest.raises(InputError) as info:
        parse_patient(patient, products)
    assert info.value.field == "adverse_events[0].attribution.nab_paclitaxel"
    assert info.value.value == "possible"
    assert info.value.rule == (
        "not a product of the protocol; its products are gd2_car_t, fludarabine, cyclophosphamide"
    )


def _boin_data(boin_protocol_path) -> dict:
    return yaml.safe_load(boin_protocol_path.read_text(encoding="utf-8"))


def test_a_dlt_rule_naming_a_product_it_does_not_give_is_refused(boin_protocol_path):
    data = _boin_data(boin_protocol_path)
    data["dlt"]["related_product"] = "car_t"
    text = yaml.safe_dump(data)
    line = text.splitlines().index("  related_product: car_t") + 1
    with pytest.raises(ProtocolError) as info:
        parse_protocol(text, "wrong-product.yaml")
    assert info.value.problems == [
        f"dlt.related_product (line {line}) = 'car_t': a DLT must be related to a product the "
        "protocol gives (gd2_car_t, fludarabine, cyclophosphamide)"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d["preconditioning"][1].update(id="fludarabine"),
            "product ids must be unique; got ['gd2_car_t', 'fludarabine', 'fludarabine']",
        ),
        (
            lambda d: d["preconditioning"][1].update(cdisc_code="FLU"),
            "product cdisc_codes must be unique; got ['GD2', 'FLU', 'FLU']",
        ),
        (
            lambda d: d["investigational_product"].update(id="GD2-CAR-T"),
            "investigational_product.id",
        ),
        (lambda d: d["preconditioning"][0].pop("id"), "preconditioning[0].id (line "),
        (
            lambda d: d["preconditioning"][0].update(cdisc_code="FLUD"),
            "preconditioning[0].cdisc_code (line ",
        ),
    ],
)
def test_product_ids_and_codes_are_checked_at_load(boin_protocol_path, change, problem):
    data = _boin_data(boin_protocol_path)
    change(data)
    with pytest.raises(ProtocolError, match=re.escape(problem)):
        parse_protocol(yaml.safe_dump(data), "bad-products.yaml")


def test_a_rule_without_its_section_is_refused_at_load():
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    del data["organ_function"]
    with pytest.raises(ProtocolError, match=r"criterion I7 \(rule 'organ_function'\) needs"):
        parse_protocol(yaml.safe_dump(data), "no-thresholds.yaml")


def _gd2_frames(example_frames) -> dict:
    """The example trial's tables as a GD2 trial records them: the same attributions, in the
    columns of that protocol's products."""
    frames = example_frames()
    frames["adverse_events"] = frames["adverse_events"].rename(
        columns={
            "attribution_car_t": "attribution_gd2_car_t",
            "attribution_nab_paclitaxel": "attribution_fludarabine",
        }
    )
    return frames


def test_its_dataset_has_its_own_attribution_columns(boin_protocol_path, tmp_path):
    from hyposti.data import TrialDataset, read_dataset, write_dataset
    from hyposti.data.example import example_frames

    products = load_protocol(boin_protocol_path).product_ids
    ds = TrialDataset.from_frames(products=products, **_gd2_frames(example_frames))
    assert ds.attribution_columns == (
        "attribution_gd2_car_t",
        "attribution_fludarabine",
        "attribution_cyclophosphamide",
    )
    write_dataset(ds, tmp_path, "csv")
    again = read_dataset(tmp_path, products)
    assert again.products == products
    assert again.adverse_events.equals(ds.adverse_events)
    # Read as an NCT05681650 dataset, its columns are unknown and NCT05681650's are missing.
    with pytest.raises(DatasetError) as info:
        read_dataset(tmp_path)
    named = {(v.table, v.column, v.rule.split(";")[0]) for v in info.value.violations}
    assert ("adverse_events", "attribution_gd2_car_t", "unknown column") in named
    assert ("adverse_events", "attribution_car_t", "required column is missing") in named


def test_its_treatment_related_events_count_its_products(boin_protocol_path):
    from hyposti.analysis.safety import treatment_related_aes
    from hyposti.data import TrialDataset
    from hyposti.data.example import example_frames

    products = load_protocol(boin_protocol_path).product_ids
    frames = _gd2_frames(example_frames)
    ae = frames["adverse_events"]
    # AE03 (fatigue) made related to fludarabine only, a drug only this protocol gives.
    row = ae["ae_id"] == "AE03"
    ae.loc[row, "attribution_gd2_car_t"] = "unlikely"
    ae.loc[row, "attribution_fludarabine"] = "possible"
    related = treatment_related_aes(TrialDataset.from_frames(products=products, **frames), 365)
    # By hand from the example's rows: every event is possible, probable or definite to some
    # product except AE05 (nausea, unrelated to all three).
    assert sorted(related["ae_id"]) == [f"AE{n:02d}" for n in (1, 2, 3, 4, 6, 7, 8, 9, 10)]


def test_its_sdtm_causality_qualifiers_name_its_agents(boin_protocol_path):
    from hyposti.data import TrialDataset
    from hyposti.data.example import example_frames
    from hyposti.standards.adam_adae import adae_spec
    from hyposti.standards.sdtm_events import build_ae, build_suppae

    protocol = load_protocol(boin_protocol_path)
    ds = TrialDataset.from_frames(products=protocol.product_ids, **_gd2_frames(example_frames))
    ae = build_ae(ds)
    supp = build_suppae(ds, ae, protocol).frame
    assert sorted(set(supp["QNAM"])) == ["AEDLT", "AERELCP", "AERELFLU", "AETOXSCL"]
    # AE02 (example row): fludarabine 'possible', cyclophosphamide 'probable' (CDISC AEREL terms).
    key = ae.frame.loc[ae.frame["AESPID"] == "AE02", ["USUBJID", "AESEQ"]].iloc[0]
    ae02 = supp.loc[
        (supp["USUBJID"] == key["USUBJID"]) & (supp["IDVARVAL"] == str(int(key["AESEQ"])))
    ].set_index("QNAM")
    assert ae02.loc["AERELFLU", ["QLABEL", "QVAL"]].tolist() == [
        "Causality to Fludarabine",
        "POSSIBLY RELATED",
    ]
    assert ae02.loc["AERELCP", "QVAL"] == "PROBABLY RELATED"
    related = [v.name for v in adae_spec(protocol).variables if v.name.startswith("AREL")]
    assert related == ["ARELGD2", "ARELFLU", "ARELCP", "ARELFL"]
