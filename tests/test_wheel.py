"""The built wheel works outside the source tree (slow): installed into a fresh venv and run
from another folder, ``presets`` lists the shipped presets and ``analyze`` measures a
real photo with the shipped config.

Nothing is downloaded: the wheel is built offline (no build isolation) and its
dependencies come from this test run's own environment through a ``.pth`` path entry
(a plain path entry does not run the editable install's own ``.pth`` finder, so the
``kiosk`` imported there is the wheel's).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Not part of the wheel's source: a copy without them builds the same wheel, faster.
_NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
               "tests", "benchmarks", "docs", "out")


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # Built from a copy: setuptools builds in the source folder and ships whatever an
    # older build left in build/lib (a module since moved or deleted), and it would race
    # with anyone else building in the checkout.
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-q", "-w", str(dist), str(src)], tmp, env)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("headshot_kiosk-*.whl")
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], tmp, env)
    assert made.returncode == 0, made.stderr
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     tmp, env).stdout.strip())
    (site / "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = _run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                tmp, env)
    assert inst.returncode == 0, inst.stderr
    return venv


@pytest.mark.slow
def test_the_wheel_carries_the_shipped_config_and_runs_from_another_folder(
        installed: Path, tmp_path: Path, media: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    py = installed / "bin" / "python"
    where = _run([str(py), "-c", "import kiosk, coaching.appdirs as a; "
                  "print(kiosk.__file__); print(a.DEFAULT_CONFIG)"], elsewhere, env)
    assert where.returncode == 0, where.stderr
    kiosk_file, default_config = where.stdout.split()
    assert Path(kiosk_file).is_relative_to(installed), kiosk_file
    assert Path(default_config).is_relative_to(installed) and Path(default_config).is_file()
    cli = str(installed / "bin" / "headshot-kiosk")
    presets = _run([cli, "presets"], elsewhere, env)
    assert presets.returncode == 0, presets.stderr
    for name in ("linkedin", "passport", "acting-commercial"):
        assert name in presets.stdout
    photo = media / "0-f1-su-ph.jpg"
    analysed = _run([cli, "analyze", str(photo), "--preset", "linkedin", "--json"], elsewhere,
                    env)
    assert analysed.returncode == 0, analysed.stderr
    first = analysed.stdout.lstrip()
    record = json.loads(first if first.startswith("[") else first.splitlines()[0])
    record = record[0] if isinstance(record, list) else record
    assert record["metrics"]["faces"] == 1
    # The screenshots' default clip lives beside a checkout only: an installed copy says so.
    shots = _run([cli, "screenshots", str(tmp_path / "shots")], elsewhere, env)
    assert shots.returncode == 2 and "give --source" in shots.stderr, shots.stderr
    assert "Traceback" not in shots.stderr and len(shots.stderr.strip().splitlines()) == 1


def _package_folders() -> dict[str, Path]:
    """Every folder the wheel must carry as a package, by dotted name: each top-level
    folder with an ``__init__.py`` (except tests and benchmarks) and its subfolders holding
    code or data, plus ``config/`` as ``coaching.defaults``."""
    found: dict[str, Path] = {}
    tops = [p.parent for p in REPO.glob("*/__init__.py")
            if p.parent.name not in ("tests", "benchmarks")]
    roots = [(t.name, t) for t in tops] + [("coaching.defaults", REPO / "config"),
                                           ("kiosk.icons", REPO / "assets" / "icons")]
    for name, root in roots:
        for folder in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
            if "__pycache__" in folder.parts or not any(
                    f.suffix in (".py", ".yaml", ".yml", ".svg") for f in folder.iterdir()):
                continue
            rel = folder.relative_to(root).parts
            found[".".join((name, *rel))] = folder
    return found


def test_pyproject_lists_every_package_folder() -> None:
    """pyproject.toml lists its packages (config/ is mapped onto coaching.defaults, which
    discovery cannot do), so a new package folder must be added there or the wheel
    silently lacks it; this test is what notices."""
    tomllib = pytest.importorskip("tomllib")
    setuptools_cfg = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"][
        "setuptools"]
    listed = set(setuptools_cfg["packages"])
    folders = _package_folders()
    assert sorted(set(folders) - listed) == [], "add these to pyproject.toml's packages"
    assert sorted(listed - set(folders)) == [], "pyproject.toml lists packages that are gone"
    assert setuptools_cfg["package-dir"] == {"coaching.defaults": "config",
                                             "kiosk.icons": "assets/icons"}


def test_the_source_tree_finds_the_shipped_config_beside_the_packages() -> None:
    from coaching import appdirs
    from kiosk import paths

    assert appdirs.SHIPPED_CONFIG_DIR == REPO / "config"
    assert paths.DEFAULT_CONFIG == appdirs.DEFAULT_CONFIG and paths.DEFAULT_CONFIG.is_file()
    assert sorted(appdirs.SHIPPED_PRESETS.glob("*.yaml"))
