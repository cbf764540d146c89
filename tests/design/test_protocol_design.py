"""Designs built from the protocol file: the design in force, dose labels, dose-level validation."""

import pytest

from hyposti.design import (
    Boin,
    Crm,
    ThreePlusThree,
    build_design,
    design_from_protocol,
    design_title,
    parse_dose_levels,
    protocol_dose_levels,
)
from hyposti.design.protocol_design import check_increasing
from hyposti.errors import InputError
from hyposti.protocol import load_protocol


def test_shipped_protocol_runs_a_conventional_3_plus_3_over_three_doses() -> None:
    protocol = load_protocol()
    design = design_from_protocol(protocol)
    assert design == ThreePlusThree(num_doses=3, accept=1, deescalate=True, cohort_size=3)
    assert protocol.design.mtd_rule.reading == design.variant_name


def test_dose_labels_come_from_the_protocol() -> None:
    levels = protocol_dose_levels(load_protocol())
    assert [levels.label(d) for d in (1, 2, 3)] == [
        "dose 1 (1e6 cells/kg)",
        "dose 2 (3e6 cells/kg)",
        "dose 3 (1e7 cells/kg)",
    ]


def test_dose_levels_option_takes_a_count_or_amounts() -> None:
    assert parse_dose_levels("5").count == 5
    assert parse_dose_levels("5").label(4) == "dose 4"
    assert parse_dose_levels("1e6, 3e6,1.5e7").label(3) == "dose 3 (1.5e7 cells/kg)"


@pytest.mark.parametrize("text", ["1e6,3e6,2e6", "3e6,3e6", "0,1e6", "one,two"])
def test_decreasing_or_bad_dose_levels_are_refused(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_dose_levels(text)
    assert err.value.field.startswith("doses")


def test_decreasing_protocol_levels_name_the_protocol_field() -> None:
    with pytest.raises(InputError) as err:
        check_increasing([1e6, 3e6, 2e6], "investigational_product.dose_levels")
    assert err.value.field == "investigational_product.dose_levels[2]"
    assert "increase strictly" in str(err.value)


def test_build_design_for_each_method() -> None:
    assert isinstance(build_design("boin", 5, target=0.3, max_n=30), Boin)
    crm = build_design("crm", 3, target=0.3, skeleton=[0.1, 0.2, 0.3], max_n=12)
    assert isinstance(crm, Crm)
    registry = build_design("3+3", 3, variant="registry-literal")
    assert isinstance(registry, ThreePlusThree) and registry.accept == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "boin"}, "target"),
        ({"method": "boin", "target": 0.3}, "max_n"),
        ({"method": "crm", "target": 0.3, "max_n": 12}, "skeleton"),
        ({"method": "mtpi"}, "design"),
    ],
)
def test_missing_options_are_named(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        build_design(num_doses=3, **kwargs)
    assert err.value.field == field


def test_designs_are_named_as_people_name_them() -> None:
    # The registry's rule for NCT05681650 is the conventional 3+3 (Storer 1989) in cohorts of 3.
    assert design_title(design_from_protocol(load_protocol())) == "3+3 conventional, cohorts of 3"
    assert (
        design_title(Boin(num_doses=5, target=0.25, max_n=30))
        == "BOIN, target 0.25, cohorts of 3, at most 30 patients"
    )
    crm = Crm(num_doses=3, target=0.3, skeleton=(0.1, 0.2, 0.35), max_n=24, cohort_size=1)
    assert (
        design_title(crm)
        == "CRM, target 0.3, skeleton 0.1/0.2/0.35, cohorts of 1, at most 24 patients"
    )
