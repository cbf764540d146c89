"""Reads a protocol file and reports every problem with its path (and line) in the file."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hyposti.errors import ProtocolError, validation_problems
from hyposti.protocol.model import Protocol

SHIPPED = "nct05681650"
ModelT = TypeVar("ModelT", bound=BaseModel)
# libyaml's parser where PyYAML was built with it (the wheels are): the pure-Python one takes a
# third of a second on the protocol file, which every command that reads it would pay at start.
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc]  # a class chosen at run time
    """The safe loader refusing a key given twice in one mapping: PyYAML keeps the last, so a
    second `dose_levels:` would silently replace the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            # a key as written (every key of these files is a plain scalar); constructing each
            # one here would double the parse time of the protocol that every command loads
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in first:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} appears twice in one mapping (first at line {first[key]})",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


_LOADER: Any = _Loader


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node of ``loc`` present in the YAML tree."""
    node, line = root, None
    for part in loc:
        if isinstance(part, str) and part.startswith("function"):
            continue  # a validator frame, not a key in the file
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's complaint with the file's own line and column; its text names the file
    '<unicode string>', the text it was handed, and spreads over four lines."""
    mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
    if mark is None or not problem:
        return str(exc)
    found = f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        found += f" ({context} at line {context_mark.line + 1}, column {context_mark.column + 1})"
    return found


def load_yaml(text: str, source: str) -> Any:
    """The data of YAML text read safely, a key given twice refused; a syntax error is a
    ProtocolError naming ``source`` with its line and column."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ProtocolError(source, [f"not valid YAML: {_yaml_problem(exc)}"]) from None


def parse_yaml_model(text: str, source: str, model: type[ModelT]) -> ModelT:
    """Validate YAML text as ``model``; raise ProtocolError listing every problem with its line."""
    data = load_yaml(text, source)
    if not isinstance(data, dict):
        raise ProtocolError(source, ["the file must hold a mapping of sections"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # The node tree (for line numbers) is only needed to report problems.
        root = yaml.compose(text, Loader=_LOADER)
        problems = validation_problems(exc, lambda loc: _line_of(root, loc))
        raise ProtocolError(source, problems) from None


def parse_protocol(text: str, source: str) -> Protocol:
    """Validate protocol YAML; raise ProtocolError listing every problem, not the first only."""
    return parse_yaml_model(text, source, Protocol)


def shipped_protocol_path(name: str = SHIPPED) -> Path:
    """Path of a protocol file shipped with the package."""
    return Path(str(resources.files("hyposti.protocol") / "protocols" / f"{name}.yaml"))


@cache
def _shipped(name: str) -> Protocol:
    path = shipped_protocol_path(name)
    return parse_protocol(path.read_text(encoding="utf-8"), str(path))


def load_protocol(path: str | Path | None = None) -> Protocol:
    """Load and validate a protocol file; ``None`` loads the shipped NCT05681650 protocol."""
    if path is None:
        return _shipped(SHIPPED)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError(str(path), [f"cannot read the file: {exc.strerror}"]) from None
    return parse_protocol(text, str(path))
