"""Plugins through the real kiosk: the README's example plugin end to end, settings
errors located in the config file, entry-point discovery, and plugins that raise or
hang (switched off for the day, the guest's photo safe, the kiosk carrying on).

The misbehaving plugins are named Fake*: a bug and a hang cannot be had otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from pathlib import Path

import pluggy
import pytest
from kiosk_driving import drive, post

from camera.replay import ReplaySource
from coaching.presets import Preset, load_presets
from coaching.yamlconfig import ConfigError
from delivery.hooks import Deliverable, PhotoInfo, ScreenItem, SessionInfo, hookimpl
from kiosk.app import AppOptions, KioskApp
from kiosk.cli import main
from kiosk.config import load_config
from kiosk.plugin_host import load_plugins, new_manager
from kiosk.plugin_runner import PluginRunner
from kiosk.states import Kind, State

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "docs" / "examples"
#: The plugins that ship with the kiosk, in the order they load.
BUILTIN_NAMES = ["retention", "deliverables", "handoff", "printing", "mirror"]


class FakeBuggyPlugin:
    """A plugin with a bug in photo_saved."""

    name = "buggy"

    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = []

    @hookimpl
    def photo_saved(self, photo: PhotoInfo) -> None:
        raise RuntimeError("a bug in a plugin")

    @hookimpl
    def state_changed(self, old: str, new: str, session: SessionInfo | None) -> None:
        self.states.append((old, new))


class FakeHangingPlugin:
    """A plugin whose photos_kept never returns (a printer that never answers)."""

    name = "hanging"

    def __init__(self) -> None:
        self.release = threading.Event()

    @hookimpl
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> list[Deliverable]:
        self.release.wait(30)
        return []


class Recorder:
    """A well-behaved plugin that records what it was told."""

    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def kiosk_startup(self, booth) -> None:
        self.calls.append("startup")

    @hookimpl
    def session_started(self, session: SessionInfo) -> None:
        self.calls.append("session_started")

    @hookimpl
    def photo_saved(self, photo: PhotoInfo) -> None:
        assert photo.image_path.is_file() and photo.sidecar_path.is_file()
        self.calls.append(f"photo_saved:{photo.reason}")

    @hookimpl
    def done_screen(self, session: SessionInfo,
                    deliverables: list[Deliverable]) -> list[ScreenItem]:
        return [ScreenItem("Recorded")]

    @hookimpl
    def session_ended(self, session: SessionInfo) -> None:
        self.calls.append("session_ended")

    @hookimpl
    def kiosk_shutdown(self) -> None:
        self.calls.append("shutdown")


@pytest.fixture(scope="module")
def presets() -> dict[str, Preset]:
    found = load_presets(user=False)
    found["easy"] = Preset(name="easy", title="Easy test", description="Anything goes.",
                           look_at_camera=False, hold_s=0.3)
    return found


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "booth.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def examples_importable(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))


@pytest.fixture()
def make_app(tmp_path: Path, media: Path, presets: dict[str, Preset]):
    apps: list[KioskApp] = []

    def make(config: Path | None = None, plugins: list | None = None) -> KioskApp:
        cfg = load_config(config)
        cfg.ui.shutter_sound = False
        app = KioskApp(cfg, AppOptions(
            source=ReplaySource(media / "single_face.mp4", realtime=True, loop=True),
            source_spec="replay:" + str(media / "single_face.mp4"), out_dir=tmp_path / "out",
            windowed=True, size=(1280, 720), presets=presets, preset="easy",
            plugins=plugins or []))
        app.start()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def photo_kept(app: KioskApp) -> None:
    """Welcome → coaching → manual shutter → review → keep → done."""
    drive(app, lambda a: a.machine.state is State.WELCOME)
    post(Kind.START)
    drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result is not None)
    post(Kind.SHUTTER)
    drive(app, lambda a: a.machine.state is State.REVIEW)
    post(Kind.KEEP)
    drive(app, lambda a: a.machine.state is State.DONE)


def test_the_readme_example_plugin_delivers_a_note_and_a_done_screen_line(
        make_app, tmp_path: Path, examples_importable) -> None:
    config = write_config(tmp_path, 'plugins:\n  load: ["thank_you_plugin:ThankYouPlugin"]\n'
                                    '  thank_you:\n    studio: "Studio Nord"\n')
    recorder = Recorder()
    app = make_app(config, plugins=[recorder])
    assert app.loaded.names == [*BUILTIN_NAMES, "thank_you", "recorder"]
    photo_kept(app)
    drive(app, lambda a: a.machine.ctx.delivery is not None)
    delivery = app.machine.ctx.delivery
    (note,) = [d for d in delivery.deliverables if d.plugin == "thank_you"]
    assert note.path.read_text().startswith("Thank you for visiting Studio Nord! Kept: shot-001")
    texts = [i.text for i in delivery.items]
    assert "Thank you for visiting Studio Nord!" in texts and "Recorded" in texts
    assert app.build_view(app.clock()).done_items == texts  # what the done screen draws
    assert recorder.calls[:3] == ["startup", "session_started", "photo_saved:manual"]
    assert not app.plugins.problems()
    post(Kind.OK)
    drive(app, lambda a: a.machine.state is State.WELCOME)
    app.plugins.wait_idle(10)
    assert "session_ended" in recorder.calls
    plugin = app.loaded.manager.get_plugin("thank_you")
    assert plugin.saved and plugin.saved[0].name == "shot-001.jpg"


def test_the_readme_shows_the_example_plugin_as_it_is_tested() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = (EXAMPLES / "thank_you_plugin.py").read_text(encoding="utf-8")
    body = code[code.index("from __future__"):]
    assert body.strip() in readme


def test_a_plugin_that_raises_is_switched_off_and_the_photo_is_safe(make_app) -> None:
    buggy = FakeBuggyPlugin()
    app = make_app(plugins=[buggy])
    photo_kept(app)
    app.plugins.wait_idle(10)
    assert app.plugins.is_disabled("buggy")
    (problem,) = app.plugins.problems()
    assert problem.startswith("plugin buggy off for today: photo_saved raised RuntimeError")
    assert "\n" not in problem
    assert problem in app._operator_view().stats  # the operator sees it
    shot = app.machine.ctx.shot
    assert shot is not None and Path(shot.path).is_file()
    side = json.loads(Path(shot.path).with_suffix(".json").read_text())
    assert side["kept"] is True
    # switched off: its other hooks are not called any more
    before = len(buggy.states)
    post(Kind.OK)
    drive(app, lambda a: a.machine.state is State.WELCOME)
    app.plugins.wait_idle(10)
    assert len(buggy.states) == before


def test_a_plugin_that_hangs_is_switched_off_and_the_kiosk_carries_on(make_app,
                                                                     tmp_path: Path) -> None:
    config = write_config(tmp_path, "plugins:\n  hook_timeout_s: 0.5\n")
    hanging = FakeHangingPlugin()
    app = make_app(config, plugins=[hanging, Recorder()])
    photo_kept(app)
    t0 = time.monotonic()
    drive(app, lambda a: a.machine.ctx.delivery is not None, timeout=10)
    assert time.monotonic() - t0 < 5  # the hang cost the time limit, not the hang
    assert app.plugins.is_disabled("hanging")
    assert [i.text for i in app.machine.ctx.delivery.items] == ["Recorded"]  # others still ran
    assert "did not return within 0.5 s" in app.plugins.problems()[0]
    hanging.release.set()


def test_switched_off_for_the_day_means_back_tomorrow() -> None:
    day = [dt.date(2026, 12, 2)]
    runner = PluginRunner(new_manager(), today=lambda: day[0])
    runner.disable("p", "raised")
    assert runner.is_disabled("p") and runner.problems() == ["plugin p off for today: raised"]
    day[0] = dt.date(2026, 12, 3)
    assert not runner.is_disabled("p") and runner.problems() == []
    runner.stop()


def test_plugin_settings_errors_name_the_file_line_and_key(tmp_path: Path,
                                                           examples_importable) -> None:
    config = write_config(tmp_path, 'plugins:\n  load: ["thank_you_plugin:ThankYouPlugin"]\n'
                                    "  thank_you:\n    studio: Nord\n    colour: red\n")
    with pytest.raises(ConfigError) as err:
        load_plugins(load_config(config), config)
    assert str(err.value) == f"{config}:5: plugins.thank_you.colour: unknown key"
    config.write_text("plugins:\n  nobody: {x: 1}\n")
    with pytest.raises(ConfigError) as err:
        load_plugins(load_config(config), config)
    assert str(err.value).startswith(f"{config}:2: plugins.nobody: no such plugin is installed")


def test_a_plugin_that_cannot_be_imported_is_reported_and_left_out(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'plugins:\n  load: ["no_such_module:Plugin"]\n'
                                    f"  disable: [{', '.join(BUILTIN_NAMES)}]\n")
    loaded = load_plugins(load_config(config), config)
    assert loaded.names == []
    (problem,) = loaded.problems
    assert problem.startswith("plugin Plugin (no_such_module:Plugin) could not be loaded: "
                              "ModuleNotFoundError")


def test_installed_plugins_are_found_through_their_entry_point(tmp_path: Path,
                                                              monkeypatch) -> None:
    """A real distribution on sys.path (dist-info with entry_points.txt), as pip makes."""
    site = tmp_path / "site"
    (site / "booth_extra-1.0.dist-info").mkdir(parents=True)
    (site / "booth_extra-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: booth-extra\nVersion: 1.0\n")
    (site / "booth_extra-1.0.dist-info" / "entry_points.txt").write_text(
        "[headshot_kiosk.plugins]\nextra = booth_extra:Extra\n")
    (site / "booth_extra.py").write_text(
        "from delivery.hooks import hookimpl\n\n"
        "class Extra:\n    @hookimpl\n    def session_ended(self, session):\n"
        "        return None\n")
    monkeypatch.syspath_prepend(str(site))
    loaded = load_plugins(load_config())
    assert loaded.names == [*BUILTIN_NAMES, "extra"]
    assert isinstance(loaded.manager, pluggy.PluginManager)
    sys.modules.pop("booth_extra", None)


def test_retention_as_a_plugin_deletes_an_unkept_session_when_it_ends(make_app,
                                                                     tmp_path: Path) -> None:
    config = write_config(tmp_path, "storage:\n  delete_unkept: true\n")
    app = make_app(config)
    drive(app, lambda a: a.machine.state is State.WELCOME)
    post(Kind.START)
    drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result is not None)
    post(Kind.SHUTTER)
    drive(app, lambda a: a.machine.state is State.REVIEW)
    shot = Path(app.machine.ctx.shot.path)
    assert shot.is_file()
    app.machine.go(State.WELCOME)  # the sitter walked away: the session ends unkept
    app.plugins.wait_idle(10)
    assert not shot.exists() and not shot.with_suffix(".json").exists()


def test_check_config_validates_plugin_settings(tmp_path: Path, capsys,
                                                examples_importable) -> None:
    config = write_config(tmp_path, 'plugins:\n  load: ["thank_you_plugin:ThankYouPlugin"]\n'
                                    "  thank_you:\n    studio: ''\n")
    assert main(["check-config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"invalid: {config}:4: plugins.thank_you.studio: String should have")
