"""Property tests: any bytes fed to a config loader end in a valid model or one clean line.

Every generated file is loaded with ``coaching.yamlconfig.load_model`` and must end in
either a validated model or a :class:`ConfigError` whose ``str()`` is one line starting
with the file path (and ``path:LINE: KEY: reason`` when the error is about a key).
Any other exception, or a hang, fails the test.

Inputs: the shipped files mutated character by character, their values swapped for
awkward YAML scalars, random keys, random structures built from the model's own key
names, deep nesting, anchors/aliases (billion laughs), tabs, binary junk, huge numbers.

To cover another YAML-backed model, add ``(Model, sample_file)`` to :data:`TARGETS`.
In CI (``CI`` set) the examples are derandomized so a run is reproducible.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from coaching.messages import CATALOGUE_DIR, CatalogueFile
from coaching.presets import SHIPPED_PRESETS, Preset
from coaching.yamlconfig import MAX_DEPTH, ConfigError, load_model
from kiosk.config import AppConfig
from kiosk.paths import DEFAULT_CONFIG

#: (model, a valid sample file to mutate). Add new YAML-backed models here.
TARGETS: list[tuple[type[BaseModel], Path]] = [
    (AppConfig, DEFAULT_CONFIG),
    (Preset, SHIPPED_PRESETS / "linkedin.yaml"),
    (CatalogueFile, CATALOGUE_DIR / "en.yaml"),
]

FUZZ = settings(max_examples=200, deadline=None, database=None,
                derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Spellings that YAML 1.1 / PyYAML treat specially, plus values that broke things once.
NASTY_SCALARS = [
    "yes", "No", "on", "OFF", "~", "null", "Null", "''", '""', "0x1F", "0o17", "017",
    "1_000", "1e999", "-1e999", ".inf", "-.INF", ".nan", "1:30:05", "190:20:30.15",
    "2001-02-30", "2001-12-14t21:59:43.10-05:00", "2001-13-01 25:61:61", "!!int abc",
    "!!float x", "!!bool maybe", "!!timestamp never", "!!binary '@@'", "!!binary AAAA",
    "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1, a: 2]", "!!python/object:os.system x",
    "!!str", "!<tag:yaml.org,2002:int> 5", "!custom 1", "&x 1", "*undefined", "[1, 2",
    "{a: 1", "[]", "{}", "[[[]]]", "{? [a]: 1}", "|\n  block\n", ">-\n  folded\n", "- a",
    "'it''s'", '"\\x00\\u2028\\n"', '"\\ud800"', "9" * 5000, "-" + "9" * 400,
    "1" + "0" * 320 + ".5", "0." + "0" * 400 + "1", "%YAML 1.1", "---", "...", "@x", "`x",
    "\t1", "a\tb", "é", "\u2028", "\ufeff", "#", "? x", ": x", "<<: {a: 1}",
]

#: Fragments inserted by the mutator: YAML punctuation and control characters.
TOKENS = [":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "!!int ", "!!map ",
          "<<: *a", "\t", "\n", "\r\n", "  ", "'", '"', "#", "?", "|", ">", "%", "@", "`",
          "---\n", "...\n", "\x00", "\x1b", "\ufffd", "\u0085", "~", "\\"]


def _key_names(model: type[BaseModel]) -> list[str]:
    """Every field name in ``model`` and its nested models (so mutations hit real keys)."""
    names: set[str] = set()
    todo: list[type[BaseModel]] = [model]
    while todo:
        m = todo.pop()
        for name, field in m.model_fields.items():
            names.add(name)
            for t in _types_in(field.annotation):
                if isinstance(t, type) and issubclass(t, BaseModel) and t is not m:
                    todo.append(t)
    return sorted(names)


def _types_in(annotation: object) -> list[object]:
    out = [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        out.extend(_types_in(arg))
    return out


scalar_text = st.one_of(
    st.sampled_from(NASTY_SCALARS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
)


def _key_text(keys: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(keys), st.text(max_size=12),
                     st.sampled_from(["<<", "? [a]", "1", "~", "true", '"a\\nb"', "&k x"]))


@st.composite
def mutated(draw: st.DrawFn, seed: str, keys: list[str]) -> bytes:
    """The sample file with a few characters flipped, deleted or inserted."""
    text = draw(st.sampled_from([seed, re.sub(r"\s*#.*", "", seed)]))
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["flip", "delete", "insert", "dup_line"]))
        if op == "flip" and text:
            i = min(i, len(text) - 1)
            text = text[:i] + draw(st.sampled_from(TOKENS) | st.characters()) + text[i + 1:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 40)):]
        elif op == "insert":
            frag = draw(st.sampled_from(TOKENS) | scalar_text | _key_text(keys))
            text = text[:i] + frag + text[i:]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                j = draw(st.integers(0, len(lines) - 1))
                lines.insert(draw(st.integers(0, len(lines))), lines[j])
                text = "".join(lines)
    return text.encode("utf-8", "surrogatepass")


_VALUE_LINE = re.compile(r"^(\s*)([A-Za-z_][\w-]*):(\s+)(\S.*)$")


@st.composite
def swapped(draw: st.DrawFn, seed: str, keys: list[str]) -> bytes:
    """The sample file with some values replaced by awkward scalars and some keys renamed
    or added (structure and line numbers otherwise kept)."""
    lines = seed.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        value_lines = [i for i, line in enumerate(lines) if _VALUE_LINE.match(line)]
        i = draw(st.sampled_from(value_lines))
        indent, key, gap, _value = _VALUE_LINE.match(lines[i]).groups()  # type: ignore[union-attr]
        what = draw(st.sampled_from(["value", "key", "add"]))
        if what == "value":
            lines[i] = f"{indent}{key}:{gap}{draw(scalar_text)}"
        elif what == "key":
            lines[i] = f"{indent}{draw(_key_text(keys))}:{gap}{_value}"
        else:
            lines.insert(i, f"{indent}{draw(_key_text(keys))}: {draw(scalar_text)}")
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _structures(keys: list[str]) -> st.SearchStrategy[object]:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.text(max_size=10), st.sampled_from(["full", "lite", "left", "en"]))
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(keys) | st.text(max_size=6), inner, max_size=5),
        max_leaves=25,
    )


@st.composite
def structured(draw: st.DrawFn, keys: list[str]) -> bytes:
    """A random document built from the model's own key names (reaches the validators)."""
    import yaml

    doc = draw(st.dictionaries(st.sampled_from(keys), _structures(keys), max_size=6))
    return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")


@st.composite
def nasty(draw: st.DrawFn, seed: str) -> bytes:
    """Deep nesting, alias bombs, tabs and junk, alone or glued to the sample."""
    kind = draw(st.sampled_from(["flow", "block", "laughs", "tabs", "junk", "bigint"]))
    n = draw(st.integers(1, 3 * MAX_DEPTH))
    if kind == "flow":
        text = "camera: " + "[" * n + "]" * draw(st.integers(0, n))
    elif kind == "block":
        text = "".join(" " * i + f"k{i}:\n" for i in range(n))
    elif kind == "laughs":
        levels = draw(st.integers(2, 12))
        text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
            f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, levels))
        text += draw(st.sampled_from([f"camera: *l{levels - 1}\n",
                                      f"camera: {{gphoto2: {{config: {{x: *l{levels - 1}}}}}}}\n",
                                      f"title: *l{levels - 1}\n"]))
    elif kind == "tabs":
        text = seed.replace("  ", "\t", draw(st.integers(1, 5)))
    elif kind == "bigint":
        text = seed + f"\nbig: {'9' * draw(st.integers(300, 6000))}\n"
    else:
        return draw(st.binary(max_size=300)) + draw(st.sampled_from([b"", seed.encode()]))
    return text.encode()


def _documents(model: type[BaseModel], seed_path: Path) -> st.SearchStrategy[bytes]:
    seed = seed_path.read_text(encoding="utf-8")
    keys = _key_names(model)
    return st.one_of(mutated(seed, keys), swapped(seed, keys), structured(keys), nasty(seed),
                     st.binary(max_size=200))


def _check(path: Path, data: bytes, model: type[BaseModel]) -> None:
    """The property: a model, or a one-line located ConfigError; nothing else, quickly."""
    path.write_bytes(data)
    t0 = time.perf_counter()
    try:
        result = load_model(path, model)
    except ConfigError as exc:
        msg = str(exc)
        assert "\n" not in msg and "\r" not in msg, msg
        assert msg.startswith(f"{path}:"), msg
        if exc.key is not None:  # about a key: file:LINE: KEY: reason
            assert exc.line is not None, msg
            assert msg.startswith(f"{path}:{exc.line}: {exc.key}: "), msg
    else:
        assert isinstance(result, model)
    assert time.perf_counter() - t0 < 5.0, "loading took too long"


@pytest.mark.parametrize(("model", "seed_path"), TARGETS,
                         ids=[m.__name__ for m, _ in TARGETS])
def test_any_input_gives_a_model_or_one_located_line(
        tmp_path_factory: pytest.TempPathFactory, model: type[BaseModel],
        seed_path: Path) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzzed.yaml"

    @FUZZ
    @given(data=_documents(model, seed_path))
    @example(data=seed_path.read_bytes())
    def run(data: bytes) -> None:
        _check(path, data, model)

    run()


# Cases that escaped as plain Python errors, printed on several lines or hung before
# the fixes in coaching/yamlconfig.py; kept as fixed examples.
REGRESSIONS = {
    "impossible date": ("camera:\n  source: 2001-02-30\n", 2, "camera.source"),
    "bad !!int": ("analysis:\n  max_faces: !!int many\n", 2, "analysis.max_faces"),
    "bad !!bool": ("ui:\n  fullscreen: !!bool maybe\n", 2, "ui.fullscreen"),
    "5000-digit number": ("analysis:\n  max_faces: " + "9" * 5000 + "\n", 2,
                          "analysis.max_faces"),
    "newline in a key": ('camera:\n  "sou\\nrce": x\n', 2, "camera.sou\\nrce"),
    "deep flow nesting": ("camera: " + "[" * 50000 + "]" * 50000 + "\n", 1, None),
    "deep block nesting": ("".join(" " * i + f"k{i}:\n" for i in range(500)), MAX_DEPTH + 1,
                           None),
    "billion laughs": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "camera: *i\n", 10, "camera"),
}


@pytest.mark.parametrize("name", list(REGRESSIONS))
def test_regressions(tmp_path: Path, name: str) -> None:
    text, line, key = REGRESSIONS[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as exc:
        load_model(path, AppConfig)
    assert time.perf_counter() - t0 < 1.0
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{path}:{line}: "), msg
    if key:
        assert exc.value.key == key


def test_merge_keys_work(tmp_path: Path) -> None:
    """``<<: *anchor`` (a YAML merge key) is honoured, as PyYAML's SafeLoader does."""
    path = tmp_path / "merge.yaml"
    path.write_text("camera:\n  webcam: &cam {width: 640, height: 480}\n"
                    "  gphoto2:\n    preview_failures: 3\n"
                    "coach:\n  <<: {persist_s: 1.2}\n  hysteresis: 2.0\n")
    cfg = load_model(path, AppConfig)
    assert cfg.coach.persist_s == 1.2 and cfg.coach.hysteresis == 2.0
    assert cfg.camera.webcam.width == 640
