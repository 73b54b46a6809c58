"""Source strings, what they build, the hybrid source, and the ``camera:`` config section."""

from __future__ import annotations

from pathlib import Path

import pytest

from camera.base import SourceState
from camera.hybrid import HybridSource
from camera.replay import ReplaySource
from camera.settings import CameraSettings
from camera.sources import SourceSpecError, open_source, parse_source
from camera.watchdog import WatchdogSource
from kiosk.config import ConfigError, load_config

USAGE = "use webcam:N, gphoto2[:MODEL], hybrid:PREVIEW+STILLS or replay:PATH"


@pytest.mark.parametrize(("text", "kind", "arg"), [
    ("webcam:0", "webcam", "0"),
    ("webcam", "webcam", "0"),
    ("WEBCAM:2", "webcam", "2"),
    ("webcam:/dev/video4", "webcam", "/dev/video4"),
    ("gphoto2", "gphoto2", None),
    ("gphoto2:Canon EOS 2000D", "gphoto2", "Canon EOS 2000D"),
    ("gphoto2:usb:001,005", "gphoto2", "usb:001,005"),
])
def test_parse_device_sources(text: str, kind: str, arg: str | None) -> None:
    spec = parse_source(text)
    assert (spec.kind, spec.arg) == (kind, arg)


def test_parse_replay_and_hybrid(media: Path, tmp_path: Path) -> None:
    video = media / "single_face.mp4"
    assert parse_source(f"replay:{video}").arg == str(video)
    spec = parse_source(f"hybrid:replay:{video}+gphoto2:Nikon")
    assert spec.kind == "hybrid"
    assert (spec.preview.kind, spec.preview.arg) == ("replay", str(video))
    assert (spec.stills.kind, spec.stills.arg) == ("gphoto2", "Nikon")
    plus = tmp_path / "a+b.mp4"  # a '+' inside a path does not split the hybrid
    plus.write_bytes(video.read_bytes())
    spec = parse_source(f"hybrid:replay:{plus}+webcam:1")
    assert spec.preview.arg == str(plus) and spec.stills.arg == "1"


@pytest.mark.parametrize(("text", "message"), [
    ("foo", f"unknown camera source 'foo': {USAGE}"),
    ("", f"empty camera source: {USAGE}"),
    ("replay:", "names no file"),
    ("replay:/no/such/clip.mp4", "replay file not found: /no/such/clip.mp4"),
    ("webcam:frontcam", "no such webcam or file 'frontcam'"),
    ("hybrid:webcam:0", "hybrid wants PREVIEW+STILLS"),
    ("hybrid:webcam:0+bogus", "hybrid wants PREVIEW+STILLS"),
    ("hybrid:hybrid:webcam:0+gphoto2+gphoto2", "cannot be nested"),
])
def test_bad_source_strings_are_one_line(text: str, message: str) -> None:
    with pytest.raises(SourceSpecError) as info:
        parse_source(text)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_open_source_builds_the_right_things(media: Path) -> None:
    settings = CameraSettings()
    settings.replay.realtime = False
    settings.replay.loop = True
    replay = open_source(f"replay:{media / 'single_face.mp4'}", settings)
    assert isinstance(replay, ReplaySource) and not replay.realtime and replay.loop
    assert isinstance(open_source("webcam:0"), WatchdogSource)
    assert isinstance(open_source("gphoto2"), WatchdogSource)  # nothing opened yet
    hybrid = open_source("hybrid:webcam:1+gphoto2", settings)
    assert isinstance(hybrid, HybridSource)
    assert isinstance(hybrid.preview, WatchdogSource) and isinstance(hybrid.stills,
                                                                     WatchdogSource)


def test_hybrid_preview_from_one_stills_from_the_other(media: Path) -> None:
    """Preview = a fast replay (every frame); stills = a webcam (a video file here)."""
    settings = CameraSettings()
    settings.replay.realtime = False
    src = open_source(f"hybrid:replay:{media / 'single_face.mp4'}"
                      f"+webcam:{media / 'no_face.mp4'}", settings)
    with src:
        assert src.state == SourceState.LIVE
        frames = [src.read_next() for _ in range(10)]
        still = src.capture_still()
        assert src.name == "replay single_face.mp4 + webcam file no_face.mp4"
    assert [f.index for f in frames] == list(range(10))
    assert frames[0].image.shape == (360, 640, 3)
    assert still.camera == "webcam file no_face.mp4" and still.image.shape == (540, 960, 3)
    assert src.state == SourceState.CLOSED


def test_camera_section_defaults_and_errors(tmp_path: Path) -> None:
    cfg = load_config()
    assert cfg.camera.gphoto2.still_timeout_s == 10
    assert cfg.camera.watchdog.backoff_initial_s == 2.0
    assert cfg.camera.watchdog.backoff_max_s == 20.0
    assert cfg.camera.model_dump() == CameraSettings().model_dump()  # yaml == code defaults
    bad = tmp_path / "bad.yaml"
    bad.write_text("camera:\n  source: webcam:0\n  webcam:\n    fps: 0\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:4: camera.webcam.fps"):
        load_config(bad)
    bad.write_text("camera:\n  gphoto2:\n    still_config: {iso: [1, 2]}\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:3: camera.gphoto2.still_config"):
        load_config(bad)
