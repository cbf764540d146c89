"""Where commands write: every output path checked first, every file staged then renamed.

The rules, the same for every writer (`report -o`, `simulate-trial -o`, `demo -o`,
`data example DIR`):

- the parent folder must exist, be a folder and be writable; nothing is created above the output;
- an output file must not exist, and an output folder must be new or empty, unless the command's
  `--force` was given, which replaces the entries the command writes and nothing else;
- what is written goes first to a hidden temporary name in the same folder and is renamed into
  place only when complete, so a full disk or a refused write leaves nothing half-written.

Every refusal is an InputError naming the option, the path and the rule (exit 2 in the CLI).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hyposti.errors import InputError

FORCE_HINT = "choose another path, or add --force to replace it"


def _check_parent(option: str, path: Path) -> None:
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise InputError(option, str(path), f"{ancestor} is a file, not a folder")
            break
    if not parent.exists():
        raise InputError(option, str(path), f"the folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(option, str(path), f"the folder {parent} is not writable")


def output_file(option: str, path: Path, force: bool) -> Path:
    """``path`` checked as a file to write: parent writable, not a folder, new unless ``force``."""
    _check_parent(option, path)
    if path.is_dir():
        raise InputError(option, str(path), "is a folder; give a file name")
    if path.exists() and not force:
        raise InputError(option, str(path), f"already exists; {FORCE_HINT}")
    return path


def output_folder(option: str, path: Path, force: bool) -> Path:
    """``path`` checked as a folder to write into: new or empty, or any folder with ``force``."""
    _check_parent(option, path)
    if path.exists() and not path.is_dir():
        raise InputError(option, str(path), "is a file; give a folder (new or empty)")
    if path.is_dir() and not force and any(path.iterdir()):
        raise InputError(option, str(path), f"is a folder that already holds files; {FORCE_HINT}")
    return path


def _write_error(option: str, path: Path, exc: OSError) -> InputError:
    return InputError(option, str(path), f"cannot be written: {exc.strerror or exc}")


def _usual_mode(path: Path, mode: int) -> None:
    """Give a temporary file (made 0600) or folder (0700) the mode a plain write would have."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


@contextmanager
def staged_file(option: str, path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` when the block succeeds.

    Check ``path`` with ``output_file`` first. On any failure the temporary file is removed and an
    OSError (no space, no permission) becomes an InputError naming ``option`` and ``path``.
    """
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise _write_error(option, path, exc) from None
    os.close(handle)
    staged = Path(name)
    try:
        _usual_mode(staged, 0o666)
        yield staged
        os.replace(staged, path)
    except OSError as exc:
        raise _write_error(option, path, exc) from None
    finally:
        staged.unlink(missing_ok=True)


@contextmanager
def staged_folder(option: str, path: Path, also_remove: tuple[str, ...] = ()) -> Iterator[Path]:
    """A temporary folder beside ``path`` to write into; its entries move into ``path`` at the end.

    Check ``path`` with ``output_folder`` first. A new ``path`` is the temporary folder renamed;
    into an existing one each entry is moved, replacing the entry of the same name, and the names
    in ``also_remove`` are deleted (files the command's output makes stale). On any failure the
    temporary folder is removed and an OSError becomes an InputError naming ``option`` and
    ``path``.
    """
    try:
        staged = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    except OSError as exc:
        raise _write_error(option, path, exc) from None
    try:
        _usual_mode(staged, 0o777)
        yield staged
        if not path.exists():
            os.replace(staged, path)
            return
        for entry in staged.iterdir():
            target = path / entry.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(entry, target)
        for name in also_remove:
            (path / name).unlink(missing_ok=True)
    except OSError as exc:
        raise _write_error(option, path, exc) from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)
