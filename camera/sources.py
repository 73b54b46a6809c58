"""Source strings (config ``camera.source`` and ``--source``) to camera sources.

Grammar::

    webcam[:INDEX | :DEVICE | :VIDEO_FILE]      webcam:0, webcam:/dev/video2
    gphoto2[:MODEL_OR_PORT]                     gphoto2, gphoto2:Canon EOS, gphoto2:usb:001,005
    replay:PATH                                 a video file or a folder of images
    hybrid:PREVIEW+STILLS                       hybrid:webcam:0+gphoto2

:func:`open_source` wraps every device (webcam, gphoto2) in a
:class:`~camera.watchdog.WatchdogSource` that reconnects it; a replay needs no
watchdog (a file does not unplug). In hybrid mode each side has its own
watchdog, so a DSLR reconnect never interrupts the webcam preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from camera.base import CameraError, CameraNotFound, CameraSource
from camera.gphoto import GPhotoSource
from camera.hybrid import HybridSource
from camera.replay import ReplaySource, check_replay_path
from camera.settings import CameraSettings
from camera.watchdog import WatchdogSource
from camera.webcam import WebcamSource

USAGE = "use webcam:N, gphoto2[:MODEL], hybrid:PREVIEW+STILLS or replay:PATH"
KINDS = ("webcam", "gphoto2", "replay", "hybrid")


class SourceSpecError(CameraError, ValueError):
    """A source string that cannot be used; ``str()`` is one line naming it."""


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source string. ``arg`` is the part after ``kind:`` (None if absent)."""

    kind: str
    arg: str | None = None
    preview: SourceSpec | None = None
    stills: SourceSpec | None = None

    def __str__(self) -> str:
        if self.kind == "hybrid":
            return f"hybrid:{self.preview}+{self.stills}"
        return self.kind if self.arg is None else f"{self.kind}:{self.arg}"


def _kind_of(text: str) -> tuple[str, str | None]:
    head, sep, rest = text.partition(":")
    kind = head.strip().lower()
    return kind, (rest if sep else None)


def parse_source(spec: str) -> SourceSpec:
    """Parse and check a source string; raises SourceSpecError (one line)."""
    text = (spec or "").strip()
    if not text:
        raise SourceSpecError(f"empty camera source: {USAGE}")
    kind, arg = _kind_of(text)
    if kind == "webcam":
        return SourceSpec("webcam", _check_webcam(text, arg))
    if kind == "gphoto2":
        model = arg.strip() if arg else None
        return SourceSpec("gphoto2", model or None)
    if kind == "replay":
        return SourceSpec("replay", _check_replay(text, arg))
    if kind == "hybrid":
        return _parse_hybrid(text, arg or "")
    raise SourceSpecError(f"unknown camera source {text!r}: {USAGE}")


def _check_replay(text: str, arg: str | None) -> str:
    """The replay path, checked now so a typo is reported before the kiosk starts."""
    if not arg or not arg.strip():
        raise SourceSpecError(f"camera source {text!r} names no file: use replay:PATH")
    try:
        check_replay_path(arg.strip())
    except CameraNotFound as exc:
        raise SourceSpecError(str(exc)) from None
    return arg.strip()


def _check_webcam(text: str, arg: str | None) -> str:
    if arg is None or not arg.strip():
        return "0"
    a = arg.strip()
    if a.isdigit() or a.startswith("/dev/") or Path(a).expanduser().is_file():
        return a
    raise SourceSpecError(
        f"camera source {text!r}: no such webcam or file {a!r}; use an index (webcam:0), a "
        "device (webcam:/dev/video2) or a video file")


def _parse_hybrid(text: str, arg: str) -> SourceSpec:
    """Split at the last '+' whose right side starts with a source kind (paths may hold '+')."""
    cuts = [i for i, ch in enumerate(arg) if ch == "+"
            and _kind_of(arg[i + 1:])[0] in KINDS and arg[:i].strip()]
    if not cuts:
        raise SourceSpecError(
            f"camera source {text!r}: hybrid wants PREVIEW+STILLS, e.g. hybrid:webcam:0+gphoto2")
    cut = cuts[-1]
    preview, stills = parse_source(arg[:cut]), parse_source(arg[cut + 1:])
    if "hybrid" in (preview.kind, stills.kind):
        raise SourceSpecError(f"camera source {text!r}: hybrid sources cannot be nested")
    return SourceSpec("hybrid", arg, preview=preview, stills=stills)


def open_source(spec: str | SourceSpec, settings: CameraSettings | None = None) -> CameraSource:
    """Build (not open) the source for ``spec``; devices come wrapped in a watchdog."""
    s = settings or CameraSettings()
    parsed = spec if isinstance(spec, SourceSpec) else parse_source(spec)
    if parsed.kind == "hybrid":
        assert parsed.preview is not None and parsed.stills is not None
        return HybridSource(build_source(parsed.preview, s),
                            build_source(parsed.stills, s, live_view=False))
    return build_source(parsed, s)


def build_source(spec: SourceSpec, settings: CameraSettings, *,
                 live_view: bool = True) -> CameraSource:
    """One non-hybrid source; ``live_view=False`` for the stills side of a hybrid."""
    if spec.kind == "replay":
        r = settings.replay
        return ReplaySource(spec.arg or "", realtime=r.realtime, loop=r.loop,
                            folder_fps=r.folder_fps, speed=r.speed,
                            jpeg_quality=settings.jpeg_quality)
    if spec.kind == "webcam":
        w = settings.webcam

        def factory() -> CameraSource:
            return WebcamSource(spec.arg or "0", w.width, w.height, w.fps, w.fourcc,
                                open_timeout=w.open_timeout_s, read_failures=w.read_failures,
                                jpeg_quality=settings.jpeg_quality)

        return _watchdog(factory, f"webcam {spec.arg or '0'}", settings)
    if spec.kind == "gphoto2":
        g = settings.gphoto2

        def gfactory() -> CameraSource:
            # A NEW GPhotoSource (hence a new gphoto2.Camera) per connect, never a re-init.
            return GPhotoSource(spec.arg, live_view=live_view,
                                preview_max_fps=g.preview_max_fps,
                                still_timeout=g.still_timeout_s,
                                delete_from_card=g.delete_from_card, keep_raw=g.keep_raw,
                                config=g.config, preview_config=g.preview_config,
                                still_config=g.still_config,
                                preview_failures=g.preview_failures,
                                still_retries=0)  # the watchdog retries

        return _watchdog(gfactory, spec.arg or "gphoto2 camera", settings)
    raise SourceSpecError(f"unknown camera source {str(spec)!r}: {USAGE}")


def _watchdog(factory: Callable[[], CameraSource], name: str,
              settings: CameraSettings) -> CameraSource:
    wd = settings.watchdog
    # A still may legitimately take still_timeout_s plus the download: never cut it short.
    bound = max(wd.still_call_timeout_s, settings.gphoto2.still_timeout_s + 10)
    return WatchdogSource(factory, name=name, backoff_initial=wd.backoff_initial_s,
                          backoff_max=wd.backoff_max_s, stall_timeout=wd.stall_timeout_s,
                          min_fps=wd.min_fps, slow_window=wd.slow_window_s,
                          max_attempts=wd.max_attempts, wait_for_camera=wd.wait_for_camera,
                          still_call_timeout=bound)
