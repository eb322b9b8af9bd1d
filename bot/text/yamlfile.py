"""YAML loading that remembers line numbers, so validation errors can point at the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows the line of itself and of each key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """Return the 1-based line of key, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence from YAML that knows the line of each item."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 0
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """Return the 1-based line of an item."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class ConfigError(Exception):
    """A config or template file is invalid; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# Templates and config nest a handful of levels; a file nested far deeper would exhaust Python's recursion.
MAX_DEPTH = 64
TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels)"


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds LineDict mappings and refuses documents nested deeper than MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.heights: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose one node, refusing it where it sits too deep, or where an alias repeats a node too deep there."""
        alias = self.check_event(yaml.AliasEvent)
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, TOO_DEEP, mark)
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if alias and node is not None and self.depth + self._height(node) > MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, TOO_DEEP, mark)
        return node

    def _height(self, node: yaml.Node) -> int:
        """Return how many levels a composed node spans, measuring each node once."""
        if node.end_mark is None:
            return 1  # an alias inside its own anchor: construction refuses it as recursive
        known = self.heights.get(id(node))
        if known is None:
            children = (node.value if isinstance(node, yaml.SequenceNode)
                        else [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode)
                        else [])
            known = self.heights[id(node)] = 1 + max((self._height(child) for child in children), default=0)
        return known


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, f"unsupported mapping key {key!r}", key_node.start_mark
            )
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text; syntax errors become a ConfigError naming source and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}, line {mark.line + 1}" if mark else source
        raise ConfigError([f"{where}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: {exc}"]) from None


def read_text(path: Path, what: str = "file", encoding: str = "utf-8") -> str:
    """Read a text file; a missing or unreadable one is a ConfigError saying which file it is."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise ConfigError([f"{path}: {what} not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read ({exc})"]) from None


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file."""
    return parse_yaml(read_text(path), str(path))
