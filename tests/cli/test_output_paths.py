"""Every writer's output path (report, simulate-trial, demo, data example): refusals exit 2 with
the option, the path and the rule, and a failed write leaves nothing behind."""

import errno
import os
import tempfile

import pytest

from hyposti.cli.main import run
from hyposti.data.dataset import read_dataset


@pytest.fixture
def dataset(tmp_path):
    folder = tmp_path / "ds"
    assert run(["data", "example", str(folder)]) == 0
    return folder


def _refused(capsys, *words):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    return err


def test_report_refuses_an_existing_file_unless_forced(dataset, tmp_path, capsys):
    out = tmp_path / "r.html"
    out.write_text("keep me", encoding="utf-8")
    assert run(["report", str(dataset), "-o", str(out)]) == 2
    _refused(capsys, "--output", str(out), "already exists", "--force")
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(["report", str(dataset), "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_pdf_name_without_pdf_is_refused(dataset, tmp_path, capsys):
    assert run(["report", str(dataset), "-o", str(tmp_path / "x.pdf")]) == 2
    _refused(capsys, "--output", "x.pdf", "must end in .html", "--pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_report_into_a_folder_or_through_a_file_is_refused(dataset, tmp_path, capsys):
    assert run(["report", str(dataset), "-o", str(tmp_path)]) == 2
    _refused(capsys, "--output", "must end in .html")
    (tmp_path / "d.html").mkdir()
    assert run(["report", str(dataset), "-o", str(tmp_path / "d.html")]) == 2
    _refused(capsys, "--output", "is a folder")
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file", encoding="utf-8")
    assert run(["report", str(dataset), "-o", str(blocker / "r.html")]) == 2
    _refused(capsys, "--output", f"{blocker} is a file, not a folder")


def test_missing_parent_is_refused_not_created(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "trial"
    assert run(["simulate-trial", "--seed", "1", "-o", str(target)]) == 2
    _refused(capsys, "--output", str(target), "does not exist")
    assert not (tmp_path / "no").exists()


def test_folder_outputs_refuse_a_file_and_a_folder_with_files(tmp_path, capsys):
    a_file = tmp_path / "trial"
    a_file.write_text("x", encoding="utf-8")
    assert run(["simulate-trial", "--seed", "1", "-o", str(a_file)]) == 2
    _refused(capsys, "--output", "is a file")
    assert run(["demo", "-o", str(a_file)]) == 2
    _refused(capsys, "--output", "is a file")
    assert run(["data", "example", str(tmp_path)]) == 2
    _refused(capsys, "DIRECTORY", "already holds files", "--force")


def test_forced_rewrite_in_the_other_format_leaves_one_dataset(tmp_path, capsys):
    folder = tmp_path / "ds"
    assert run(["data", "example", str(folder), "--format", "csv"]) == 0
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(["data", "example", str(folder), "--format", "parquet", "--force"]) == 0
    names = sorted(p.suffix for p in folder.iterdir() if p.name != "notes.txt")
    assert set(names) == {".parquet"}  # no stale CSV beside the new Parquet tables
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"  # not ours: untouched
    read_dataset(folder)


def test_full_device_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    import hyposti.data.dataset as dataset_module

    real = dataset_module.write_dataset

    def fills_the_disk(ds, directory, format="parquet"):
        real(ds, directory, format)  # every table written, then the device is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(dataset_module, "write_dataset", fills_the_disk)
    target = tmp_path / "ds"
    assert run(["data", "example", str(target)]) == 2
    _refused(capsys, "DIRECTORY", str(target), "No space left on device")
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a staged copy


def test_unwritable_place_is_refused(dataset, tmp_path, capsys, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    out = tmp_path / "r.html"
    assert run(["report", str(dataset), "-o", str(out)]) == 2
    _refused(capsys, "--output", str(out), "Permission denied")
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_read_only_folder_is_refused_before_work(dataset, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert run(["report", str(dataset), "-o", str(locked / "r.html")]) == 2
        _refused(capsys, "--output", "is not writable")
    finally:
        locked.chmod(0o700)


def test_written_files_get_the_usual_permissions(dataset, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert run(["report", str(dataset), "-o", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not the 0600 of a temporary file
    assert (dataset.stat().st_mode & 0o777) == 0o777 & ~umask
