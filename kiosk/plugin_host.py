"""Finding, configuring and registering plugins (pluggy, as pytest and pibooth do).

Where plugins come from, in order:

1. built-ins (:data:`BUILTINS`, e.g. ``retention``);
2. installed packages that register a class under the entry-point group
   ``headshot_kiosk.plugins`` (``[project.entry-points."headshot_kiosk.plugins"]``);
3. ``plugins.load`` in the config: ``module:Attribute`` import paths (a local plugin
   that is not packaged).

``plugins.disable`` names plugins not to run. A plugin's settings live under
``plugins.<name>`` and are validated into its pydantic ``Settings`` with the same
``file:line: key: reason`` errors as the rest of the config; a section for a plugin
that is not there is an error too. A plugin that cannot be imported or constructed is
reported (log, operator overlay) and left out; the kiosk runs without it.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError

from coaching.yamlconfig import ConfigError, read_yaml, validation_error
from delivery.hooks import ENTRY_POINT_GROUP, PROJECT, KioskSpec
from kiosk.config import AppConfig

log = logging.getLogger(__name__)

#: Plugins that ship with the kiosk: name -> import path.
BUILTINS = {"retention": "delivery.retention_plugin:RetentionPlugin",
            "deliverables": "delivery.deliverables_plugin:DeliverablesPlugin",
            "handoff": "delivery.handoff_plugin:HandoffPlugin",
            "printing": "delivery.printing:PrintingPlugin",
            "mirror": "delivery.mirror:MirrorPlugin"}


@dataclass(frozen=True)
class PluginSource:
    """Where one plugin comes from, before it is imported."""

    name: str
    target: str  # "module:Attribute"
    origin: str  # "built-in", "installed", "config"


@dataclass
class Plugins:
    """The registered plugins and what went wrong while loading them."""

    manager: pluggy.PluginManager
    names: list[str]
    problems: list[str]


def new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(KioskSpec)
    return pm


def sources(cfg: AppConfig) -> list[PluginSource]:
    """Every plugin the config asks for, built-ins and installed ones included."""
    found = [PluginSource(n, t, "built-in") for n, t in BUILTINS.items()]
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.append(PluginSource(ep.name, ep.value, "installed"))
    for target in cfg.plugins.load:
        name = target.split(":")[-1].rsplit(".", 1)[-1]
        found.append(PluginSource(name, target, "config"))
    off = set(cfg.plugins.disable)
    return [s for s in found if s.name not in off]


def import_target(target: str) -> Any:
    """``module:Attribute`` (or a bare module) -> the object."""
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def plugin_name(obj: Any, default: str) -> str:
    return str(getattr(obj, "name", "") or default)


def construct(obj: Any, name: str, cfg: AppConfig, config_path: Path | None) -> Any:
    """A plugin object from a class (``Plugin(settings)`` or ``Plugin()``) or a module.
    Raises ConfigError when its ``plugins.<name>`` settings are wrong."""
    section = cfg.plugins.sections().get(name)
    model = getattr(obj, "Settings", None)
    if not isinstance(obj, type):
        if section is not None:
            raise _config_error(config_path, name, "this plugin takes no settings")
        return obj
    if isinstance(model, type) and issubclass(model, BaseModel):
        try:
            settings = model.model_validate(section or {})
        except ValidationError as exc:
            raise _located(config_path, name, exc) from None
        return obj(settings)
    if section is not None:
        raise _config_error(config_path, name, "this plugin takes no settings")
    return obj()


def load_plugins(cfg: AppConfig, config_path: Path | None = None, *,
                 extra: list[Any] | None = None) -> Plugins:
    """Import, configure and register every plugin. Bad settings raise ConfigError (the
    config is wrong: one line, the command exits); a plugin that fails to import or
    construct is left out and named in ``problems``."""
    pm = new_manager()
    names: list[str] = []
    problems: list[str] = []
    for src in sources(cfg):
        try:
            obj = import_target(src.target)
        except Exception as exc:  # noqa: BLE001 - a broken plugin never stops the kiosk
            problems.append(f"plugin {src.name} ({src.target}) could not be loaded: "
                            f"{type(exc).__name__}: {exc}".splitlines()[0])
            log.error("%s", problems[-1])
            continue
        name = plugin_name(obj, src.name)
        if name in names or name in cfg.plugins.disable:
            continue
        try:
            plugin = construct(obj, name, cfg, config_path)
            pm.register(plugin, name=name)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001
            problems.append(f"plugin {name} could not start: {type(exc).__name__}: {exc}"
                            .splitlines()[0])
            log.error("%s", problems[-1])
            continue
        names.append(name)
    for plugin in extra or []:  # tests and embedders register objects directly
        name = plugin_name(plugin, type(plugin).__name__)
        pm.register(plugin, name=name)
        names.append(name)
    unknown = set(cfg.plugins.sections()) - set(names) - set(cfg.plugins.disable)
    if unknown:
        raise _config_error(config_path, sorted(unknown)[0], "no such plugin is installed "
                            f"(have: {', '.join(names) or 'none'})")
    return Plugins(pm, names, problems)


def check_plugins(cfg: AppConfig, config_path: Path | None) -> list[str]:
    """For ``check-config``: ConfigError for bad settings, else the loading problems."""
    return load_plugins(cfg, config_path).problems


def _raw(config_path: Path | None) -> Any:
    try:
        return read_yaml(config_path) if config_path is not None else None
    except ConfigError:
        return None


def _config_error(config_path: Path | None, name: str, reason: str) -> ConfigError:
    raw = _raw(config_path)
    line = None
    plugins = raw.get("plugins") if isinstance(raw, dict) else None
    if isinstance(plugins, dict):
        line = getattr(plugins, "key_lines", {}).get(name)
    return ConfigError(config_path or "config", reason, line=line, key=f"plugins.{name}")


def _located(config_path: Path | None, name: str, exc: ValidationError) -> ConfigError:
    """A plugin settings error located in the config file: ``plugins.<name>.<key>``."""
    return validation_error(config_path or "config", _raw(config_path), exc,
                            prefix=("plugins", name))
