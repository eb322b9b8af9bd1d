"""YAML loading that remembers line numbers, so validation errors can point at the line."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


class _DepthLimit(yaml.composer.Composer):
    """PyYAML's composer, refusing documents nested deeper than MAX_DEPTH, over the events of a parser beside it."""

    if TYPE_CHECKING:  # provided by the parser each loader combines this with
        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...

    def __init__(self) -> None:
        # Not super(): next in a loader's order comes a class whose __init__ takes the stream.
        yaml.composer.Composer.__init__(self)
        self.depth = 0
        self.heights: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose one node, refusing it where it sits too deep, or where an alias repeats a node too deep there."""
        alias = self.check_event(yaml.AliasEvent)
        mark = self.peek_event().start_mark
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


class _LineLoader(_DepthLimit, yaml.SafeLoader):
    """SafeLoader that builds LineDict mappings and refuses documents nested deeper than MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        _DepthLimit.__init__(self)


class _Tagged(Exception):
    """A tagged node, which the fast loader leaves to PyYAML's own parser."""


if yaml.__with_libyaml__:
    class _CLineLoader(_DepthLimit, yaml.CSafeLoader):
        """The same loader composing the events of libyaml's parser in C: 200 templates load six times faster."""

        def __init__(self, stream: str) -> None:
            yaml.CSafeLoader.__init__(self, stream)
            _DepthLimit.__init__(self)

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            """Compose one node, giving up on a tagged one (libyaml reads '!' on an empty value differently)."""
            if getattr(self.peek_event(), "tag", None) is not None:
                raise _Tagged
            return super().compose_node(parent, index)


# None where PyYAML was built without libyaml: its own parser reads every document then.
_FAST_LOADER: type[_CLineLoader] | None = _CLineLoader if yaml.__with_libyaml__ else None


def _construct_mapping(loader: _LineLoader | _CLineLoader, node: yaml.MappingNode) -> LineDict:
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


def _construct_sequence(loader: _LineLoader | _CLineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


for _loader in (_LineLoader, _FAST_LOADER):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _load(text: str, *, read_before: bool) -> Any:
    """Load a document; one PyYAML's own parser has read before, by libyaml's where PyYAML has it."""
    # libyaml takes a little more than PyYAML's own parser (a tab between a key and its value, a '?' in a flow
    # list), so it only reads again what that one accepted; whatever it trips over, PyYAML's own decides, in the
    # words its messages have always had.
    if read_before and _FAST_LOADER is not None:
        with contextlib.suppress(Exception):
            fast = _FAST_LOADER(text)
            try:
                return fast.get_single_data()
            finally:
                fast.dispose()
    return yaml.load(text, Loader=_LineLoader)


def parse_yaml(text: str, source: str, *, read_before: bool = False) -> Any:
    """Parse YAML text (read_before: a text this parsed before); syntax errors name source and line."""
    try:
        return _load(text, read_before=read_before)
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
