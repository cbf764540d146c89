"""The schedule section: compact day rules expand as declared; inconsistent schedules refused."""

import pytest
import yaml

from hyposti.errors import ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.protocol.schedule_spec import DayRule, ScheduleSpec


def _with(mutate) -> str:
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_repeating_rule_expands_inclusively():
    assert DayRule(every_days=90, from_day=270, to_day=720).expand() == [
        270,
        360,
        450,
        540,
        630,
        720,
    ]
    assert DayRule(days=[7, 1, 4]).expand() == [1, 4, 7]


def test_windows_by_study_day():
    spec = load_protocol().schedule
    assert ScheduleSpec.sponsor_editable
    assert [spec.window_for(d) for d in (1, 14, 15, 28, 29, 180, 181, 1095)] == [
        1,
        1,
        3,
        3,
        7,
        7,
        14,
        14,
    ]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda s: s["visits"].append(
                {"label": "extra", "days": [7], "assessments": ["vital_signs"]}
            ),
            "day 7 is in both",
        ),
        (lambda s: s["visits"][0].update(days=[0]), "outside 1..1095"),
        (lambda s: s["windows"].pop(), "before end_day"),
        (lambda s: s["tumour_assessments"].append({"days": [28]}), "repeat"),
        (lambda s: s["visits"][0].update(every_days=7), "not both"),
        (lambda s: s["visits"][0].update(assessments=["dance"]), "assessments"),
    ],
)
def test_inconsistent_schedules_are_refused(mutate, message):
    with pytest.raises(ProtocolError, match=message):
        parse_protocol(_with(lambda d: mutate(d["schedule"])), "edited")
