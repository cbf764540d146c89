"""Every command that reads a file refuses a missing, empty, binary or folder path, a header-only
CSV and a CSV naming a column twice: exit 2, one message naming the input, the path and the rule.
"""

from pathlib import Path

import pytest

from hyposti.cli.main import run

ROOT = Path(__file__).resolve().parents[2]
BINARY = bytes(range(256))  # 0x80.. cannot open a UTF-8 sequence


def _argv(command: str, path: Path) -> tuple[list[str], str]:
    """The command line reading ``path`` as its input, and the input's name in messages."""
    return {
        "screen": (["screen", str(path)], "RECORD"),
        "dlt": (["dlt", str(path)], "PATIENT.json"),
        "recist": (["recist", str(path)], "FILE"),
        "km": (["km", str(path), "--time", "t", "--event", "e"], "FILE"),
        "nca": (["nca", str(path)], "FILE"),
        "protocol validate": (["protocol", "validate", str(path)], "FILE"),
        "screen --protocol": (
            ["screen", str(ROOT / "examples/screening/eligible.json"), "--protocol", str(path)],
            "--protocol",
        ),
        "simulate-trial --params": (
            [
                "simulate-trial",
                "--seed",
                "1",
                "-o",
                str(path.parent / "out"),
                "--params",
                str(path),
            ],
            "--params",
        ),
    }[command]


COMMANDS = [
    "screen",
    "dlt",
    "recist",
    "km",
    "nca",
    "protocol validate",
    "screen --protocol",
    "simulate-trial --params",
]


def _refused(capsys, name, path, rule):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{name} = " in err and str(path) in err and rule in err, err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (None, "no such file"),
        ("folder", "is a folder"),
        (b"", "is empty (0 bytes)"),
        (BINARY, "is not UTF-8 text"),
        (b"id,day\x00\n1,2\n", "is binary"),
    ],
)
def test_unusable_input_file(command, content, rule, tmp_path, capsys):
    path = tmp_path / "input.dat"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    argv, name = _argv(command, path)
    assert run(argv) == 2
    _refused(capsys, name, path, rule)


@pytest.mark.parametrize("command", ["screen", "dlt", "recist"])
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("{", "is not valid JSON: Expecting property name"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        # json.loads kept the last value silently
        ('{"a": {"b": 1, "b": 2}}', "the name 'b' appears twice in one object"),
    ],
)
def test_invalid_json_names_where(command, text, rule, tmp_path, capsys):
    path = tmp_path / "record.json"
    path.write_text(text, encoding="utf-8")
    argv, name = _argv(command, path)
    assert run(argv) == 2
    _refused(capsys, name, path, rule)


@pytest.mark.parametrize("command", ["km", "nca"])
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("t,e\n", "has a header but no rows"),
        ("t,e,t\n1,1,2\n", "names the column 't' twice"),
        ('t,e\n1,"1\n', "is not a readable CSV table"),
    ],
)
def test_unusable_csv(command, text, rule, tmp_path, capsys):
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    argv, name = _argv(command, path)
    assert run(argv) == 2
    _refused(capsys, name, path, rule)


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path, capsys):
    # Spreadsheet programs write UTF-8 CSV with a BOM; the first column must keep its name.
    path = tmp_path / "six_mp.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (ROOT / "examples/km/six_mp_remission.csv").read_bytes())
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert run(["km", str(path), "--time", header[0], "--event", header[-1], "--json"]) == 0


@pytest.fixture
def dataset(tmp_path):
    folder = tmp_path / "ds"
    assert run(["data", "example", str(folder), "--format", "csv"]) == 0
    return folder


@pytest.mark.parametrize("command", [["data", "check"], ["analyze"]])
@pytest.mark.parametrize(
    ("damage", "rule"),
    [
        (lambda p: p.write_bytes(BINARY), "is not UTF-8 text"),
        (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
        (lambda p: (p.unlink(), p.mkdir()), "is a folder"),
        (
            lambda p: p.write_text(
                p.read_text(encoding="utf-8").replace("subject_id,", "subject_id,subject_id,", 1),
                encoding="utf-8",
            ),
            "names the column 'subject_id' twice",
        ),
    ],
)
def test_damaged_dataset_table(command, damage, rule, dataset, capsys):
    table = dataset / "subjects.csv"
    damage(table)
    assert run([*command, str(dataset)]) == 2
    _refused(capsys, "table subjects", table, rule)


def test_dataset_parquet_that_is_not_parquet(tmp_path, capsys):
    folder = tmp_path / "ds"
    assert run(["data", "example", str(folder), "--format", "parquet"]) == 0
    (folder / "subjects.parquet").write_bytes(b"PAR1 not really")
    assert run(["data", "check", str(folder)]) == 2
    _refused(capsys, "table subjects", folder / "subjects.parquet", "not a readable Parquet file")
