"""Tethered-camera code against libgphoto2's real virtual camera (a "Nikon DSC D750").

``VCAMERADIR`` must be set before ``gphoto2`` is imported, so every case runs in a
subprocess (``tests/gphoto_cases.py`` or the real CLI) with its own folder of JPEGs, and
nothing here imports ``gphoto2`` into the pytest process (it would hide the virtual camera
from any later in-process user).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from camera.base import CameraError
from camera.gphoto_detect import DetectedCamera, choose_camera
from camera.gphoto_errors import CLAIMED_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).with_name("gphoto_cases.py")


@pytest.fixture()
def vcam(tmp_path: Path, media: Path) -> Path:
    """A folder holding one real JPEG: what the virtual camera will 'shoot'."""
    folder = tmp_path / "vcam"
    folder.mkdir()
    shutil.copy(media / "single_face.jpg", folder / "portrait.jpg")
    return folder


def _env(vcam: Path) -> dict[str, str]:
    return {**os.environ, "VCAMERADIR": str(vcam)}


def _case(vcam: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(CASES), *args], env=_env(vcam), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_cameras_command_lists_the_virtual_dslr(vcam: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "kiosk", "cameras", "--json"], env=_env(vcam),
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["gphoto2"] == [{"model": "Nikon DSC D750", "port": "usb:001,001",
                               "live_view_driver": True, "live_view": False}]
    assert isinstance(doc["webcams"], list)
    text = subprocess.run([sys.executable, "-m", "kiosk", "cameras"], env=_env(vcam), cwd=ROOT,
                          capture_output=True, text=True, timeout=60).stdout
    assert "Nikon DSC D750" in text and "live view: no" in text and "hybrid:" in text


def test_still_is_the_cameras_own_bytes(vcam: Path) -> None:
    r = _case(vcam, "still")
    assert r["md5"] == r["folder_md5"] == _md5(vcam / "portrait.jpg")
    assert r["camera"] == "Nikon DSC D750"
    assert r["extension"] == ".jpg" and r["extra"] == 0
    assert r["shape"] == [562, 572, 3]  # decodes to the JPEG's full size
    assert r["live_view"] is False and r["state"] == "live"
    assert r["seconds"] < 3.0


def test_camera_without_live_view_suggests_hybrid(vcam: Path) -> None:
    r = _case(vcam, "no_live_view", "gphoto2")
    assert r["error"] == "LiveViewUnsupported"
    assert "cannot stream a preview" in r["message"]
    assert "hybrid:webcam:0+gphoto2" in r["message"]
    assert r["state"] == "failed"
    r = _case(vcam, "no_live_view", "gphoto2:Canon EOS")
    assert r["error"] == "CameraNotFound"
    assert "'Canon EOS'" in r["message"] and "Nikon DSC D750 (usb:001,001)" in r["message"]


def test_hybrid_preview_from_video_still_from_dslr(vcam: Path, media: Path) -> None:
    r = _case(vcam, "hybrid", str(media / "single_face.mp4"))
    assert r["frames"] == 72  # every preview frame of the video (fast replay)
    assert r["shape"] == [360, 640, 3]
    assert r["media_last"] == pytest.approx(71 / 30, abs=0.01)
    assert r["md5"] == _md5(vcam / "portrait.jpg")  # DSLR bytes unchanged
    assert r["camera"] == "Nikon DSC D750"
    assert r["name"] == "replay single_face.mp4 + Nikon DSC D750"
    assert r["state"] == "ended"


def test_pictures_vanish_then_return(vcam: Path, media: Path) -> None:
    """Virtual camera lore: with its folder gone, init still works but every capture fails
    at once with [-1]; the same folder back = stills work again (checked here)."""
    r = _case(vcam, "disappear", str(media / "single_face.mp4"))
    assert r["first"] == r["folder_md5"]
    assert r["while_gone"] == "CameraError"
    assert "[-1]" in r["while_gone_message"]
    assert r["fail_seconds"] < 5.0  # one reconnect and one retry, no hang
    assert r["preview_during"]  # the webcam-side preview carried on
    assert r["back"] == r["folder_md5"]
    assert r["reconnects"] == 1 and r["state"] == "live"


def test_unplugged_camera_is_reconnected_with_a_new_camera_object(vcam: Path) -> None:
    r = _case(vcam, "unplug")
    assert r["first"] == r["folder_md5"]
    assert r["while_gone"] == "CameraDisconnected" and r["fail_seconds"] < 2.0
    assert r["state_gone"] == "reconnecting" and r["frame_gone"]
    assert 3 <= r["failed_connects"] <= 6  # backoff 0.1 -> 0.2 -> 0.4 (cap) over ~1 s
    assert r["state_back"] == "live" and r["new_camera_object"]
    assert r["back"] == r["folder_md5"] and r["reconnects"] == 1


def test_hybrid_keeps_coaching_while_its_dslr_reconnects(vcam: Path, media: Path) -> None:
    """Only the DSLR side is away: the hybrid stays live and frames keep coming; the DSLR's
    trouble is its own state and error; a still meanwhile fails fast (the kiosk then keeps
    the preview frame), and the DSLR's JPEG comes back with the camera."""
    r = _case(vcam, "hybrid_dslr_reconnecting", str(media / "single_face.mp4"))
    assert r["first"] == r["folder_md5"]
    assert r["while_gone"] == "CameraDisconnected"
    assert r["stills_state_gone"] == "reconnecting" == r["stills_state_after"]
    assert "no gphoto2 camera found" in r["stills_error_gone"]
    assert r["states_gone"] == ["live"]  # never RECONNECTING as a whole
    assert r["frames_gone"] >= 15  # 30 fps video in real time over 1 s
    assert r["stills_state_back"] == "live" and r["stills_error_back"] is None
    assert r["back"] == r["folder_md5"] and r["state_back"] == "live"


def test_hybrid_reconnects_as_a_whole_when_its_preview_is_lost(vcam: Path,
                                                                media: Path) -> None:
    r = _case(vcam, "hybrid_preview_lost", str(media / "single_face.mp4"))
    assert r["state_start"] == "live"
    assert r["state_lost"] == "reconnecting" and not r["frame_lost"]
    assert r["stills_state_lost"] == "live"  # the DSLR itself is fine
    assert "stopped sending pictures" in r["error_lost"]  # the preview's error, not the DSLR's


def test_live_view_thread_rate_cap_and_still(vcam: Path, media: Path) -> None:
    r = _case(vcam, "live_view", str(media / "single_face.mp4"))
    assert 8 <= r["rate"] <= 25  # cap 20 fps (+ the frame taken while opening)
    assert r["shape"] == [360, 640, 3]
    assert r["md5"] == r["folder_md5"] and r["camera"] == "Nikon DSC D750"
    assert r["resumed"]  # live view carries on after the still


def test_libgphoto2_errors_read_like_an_operator_would(vcam: Path) -> None:
    mapped = _case(vcam, "errors")
    expected = {
        "-53": ("CameraBusy", CLAIMED_MESSAGE),
        "-60": ("CameraBusy", "locked by another program"),
        "-110": ("CameraBusy", "busy"),
        "-10": ("CaptureTimeout", "did not answer in time"),
        "-52": ("CameraDisconnected", "USB cable"),
        "-7": ("CameraDisconnected", "switched on"),
        "-1": ("CameraError", "[-1]"),
    }
    for code, (kind, fragment) in expected.items():
        got_kind, message = mapped[code]
        assert got_kind == kind, code
        assert fragment in message and "\n" not in message, code
    assert "(a desktop photo importer?)" in CLAIMED_MESSAGE


def test_choose_camera_by_port_model_or_substring() -> None:
    found = [DetectedCamera("Canon EOS 2000D", "usb:001,004"),
             DetectedCamera("Nikon DSC D750", "usb:001,005")]
    assert choose_camera(None, found).model == "Canon EOS 2000D"
    assert choose_camera("usb:001,005", found).model == "Nikon DSC D750"
    assert choose_camera("nikon", found).port == "usb:001,005"
    with pytest.raises(CameraError, match="no gphoto2 camera found"):
        choose_camera(None, [])


def test_cameras_settings_lists_the_virtual_cameras_settings_and_choices(vcam: Path) -> None:
    run = [sys.executable, "-m", "kiosk", "cameras", "--settings"]
    proc = subprocess.run([*run, "--json"], env=_env(vcam), cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["model"] == "Nikon DSC D750"
    by_name = {s["name"]: s for s in doc["settings"]}
    shutter = by_name["shutterspeed"]
    assert shutter["type"] == "radio" and shutter["value"] in shutter["choices"]
    assert "f/8" in by_name["f-number"]["choices"]
    assert by_name["batterylevel"]["readonly"] is True
    text = subprocess.run(run, env=_env(vcam), cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert text.returncode == 0 and "choices: 1.0000s, 0.1000s" in text.stdout
    wrong = subprocess.run([*run, "canon"], env=_env(vcam), cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert wrong.stderr.strip().splitlines() == [
        "headshot-kiosk: cameras --settings: no gphoto2 camera matches 'canon'; found: "
        "Nikon DSC D750 (usb:001,001)"]
