"""Load YAML files into pydantic models with one-line, located error messages.

Every config file the product reads (the app config, each preset) goes through
:func:`load_model`, so a broken file always reads the same way::

    config/presets/linkedin.yaml:12: yaw_deg.min: Input should be a valid number

The message names the file, the line, the key and the reason; never a pydantic
dump and never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A config or preset file that cannot be used; ``str()`` is one line."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None,
                 key: str | None = None) -> None:
        self.path = str(path)
        # One line whatever the input: YAML keys and values may hold newlines.
        self.reason = " ".join(str(reason).split())
        self.line = line
        self.key = _printable(key) if key is not None else None
        key = self.key
        reason = self.reason
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"{key}: {reason}" if key else reason
        super().__init__(f"{where}: {what}")


def _printable(text: str) -> str:
    """``text`` with control characters escaped (``\\n``), so it stays on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


#: Config files are small; these bound the work a hostile or mangled file can cause.
MAX_BYTES = 1_000_000
MAX_DEPTH = 64


class _BadValue(yaml.constructor.ConstructorError):
    """A scalar PyYAML could not turn into a value; ``keys`` is filled in on the way out."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)
        self.keys: list[str] = []


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping key.

    It also turns constructor faults that PyYAML lets escape as plain Python errors
    (``2001-02-30``, ``!!int abc``, ``!!bool maybe``, a 5000-digit number) into located
    errors naming the key, and refuses nesting deeper than :data:`MAX_DEPTH` up front:
    PyYAML's scanner is quadratic in the depth of ``[[[[...`` and its composer recursive.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001 - ValueError, KeyError ... from constructors
            tag = str(node.tag).rsplit(":", 1)[-1]
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            value = value if len(value) <= 40 else value[:37] + "..."
            detail = str(exc) if isinstance(exc, ValueError) else ""
            detail = detail if len(detail) <= 80 else detail[:77] + "..."
            raise _BadValue(f"cannot read {value!r} as {tag}" + (f" ({detail})" if detail else ""),
                            node.start_mark) from None

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 - PyYAML's
        if self.flow_level >= MAX_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.get_mark())
        return super().add_indent(column)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    loader.flatten_mapping(node)  # YAML merge keys (``<<: *defaults``), as SafeLoader does
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark) from None
        try:
            mapping[key] = loader.construct_object(value_node, deep=True)
        except _BadValue as exc:
            exc.keys.insert(0, str(key))
            raise
        lines[key] = key_node.start_mark.line + 1
    return _LineDict(mapping, lines, node.start_mark.line + 1)


class _LineDict(dict):
    """A dict that knows the source line of each key (and of itself)."""

    def __init__(self, data: dict, lines: dict, line: int) -> None:
        super().__init__(data)
        self.key_lines = lines
        self.line = line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, raising :class:`ConfigError` with the line on any fault."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(p, "file not found") from None
    except IsADirectoryError:
        raise ConfigError(p, "is a folder, not a YAML file") from None
    except UnicodeDecodeError:
        raise ConfigError(p, "not a text file (cannot decode as UTF-8)") from None
    except OSError as exc:
        raise ConfigError(p, f"cannot read: {exc.strerror or exc}") from None
    if len(text) > MAX_BYTES:
        raise ConfigError(p, f"too large for a config file ({len(text):,} characters, "
                             f"limit {MAX_BYTES:,})")
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except _BadValue as exc:
        raise ConfigError(p, exc.problem or "bad value", line=exc.problem_mark.line + 1,
                          key=".".join(exc.keys) or None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise ConfigError(p, f"invalid YAML: {reason}", line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(p, f"invalid YAML: {exc}".splitlines()[0]) from None
    except RecursionError:
        raise ConfigError(p, "invalid YAML: nested too deeply") from None


def _locate(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest key of ``loc`` that exists in ``data``."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, _LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def validation_error(path: str | Path, data: Any, exc: ValidationError,
                     prefix: tuple[str, ...] = ()) -> ConfigError:
    """Turn the first pydantic error into a located one-line :class:`ConfigError`;
    ``prefix``: where the validated part sits in the file (a plugin's section)."""
    err = exc.errors()[0]
    loc = prefix + tuple(err.get("loc", ()))
    key = ".".join(str(p) for p in loc) or None
    reason = err.get("msg", "invalid value")
    if err.get("type") == "extra_forbidden":
        reason = "unknown key"
    elif err.get("type") == "missing":
        reason = "required key is missing"
    more = len(exc.errors()) - 1
    if more:
        reason += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(path, reason, line=_locate(data, loc), key=key)


def load_model(path: str | Path, model: type[M], *, empty_ok: bool = True) -> M:
    """Read ``path`` and validate it into ``model``; one-line ConfigError on any fault."""
    data = read_yaml(path)
    if data is None:
        if not empty_ok:
            raise ConfigError(path, "file is empty")
        data = _LineDict({}, {}, 1)
    if not isinstance(data, dict):
        raise ConfigError(path, f"expected a mapping of keys, found {type(data).__name__}",
                          line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, data, exc) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise ConfigError(path, f"invalid value: {exc}".splitlines()[0]) from None


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The source line of ``loc`` (a key path) in data from :func:`read_yaml`, or of its
    deepest part that exists (e.g. the section a missing key belongs in)."""
    return _locate(data, loc)
