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
        self.reason = reason
        self.line = line
        self.key = key
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"{key}: {reason}" if key else reason
        super().__init__(f"{where}: {what}")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark) from None
        mapping[key] = loader.construct_object(value_node, deep=True)
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
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
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


def validation_error(path: str | Path, data: Any, exc: ValidationError) -> ConfigError:
    """Turn the first pydantic error into a located one-line :class:`ConfigError`."""
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
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
