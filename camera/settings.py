"""Typed camera settings (the ``camera:`` section of the app config)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: A gphoto2 config value: what ``gphoto2 --get-config NAME`` shows as a choice or number.
GPhotoValue = str | int | float | bool


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class WebcamSettings(_Section):
    """OpenCV webcams (``camera.webcam:``)."""

    width: int | None = Field(
        1280, ge=160, le=7680, description="capture width in pixels; null = the driver's default")
    height: int | None = Field(
        720, ge=120, le=4320, description="capture height in pixels; null = the driver's default")
    fps: float | None = Field(
        30, ge=1, le=240, description="frame rate to ask for; null = the driver's default")
    fourcc: str | None = Field(
        "MJPG", min_length=4, max_length=4,
        description="pixel format to ask for, e.g. MJPG (needed for 1080p at 30 fps on "
                    "most USB webcams) or YUYV; null = the driver's default")
    open_timeout_s: float = Field(
        5.0, ge=0.5, le=60, description="how long to wait for the first picture when opening")
    read_failures: int = Field(
        10, ge=1, le=1000,
        description="consecutive failed reads after which the webcam counts as disconnected")
    metering: Literal["face", "auto"] = Field(
        "face", description="face: steer the exposure so the face is well exposed (a face "
                            "before a bright window), then hold it; auto: the driver's own")
    face_target: float = Field(
        0.5, ge=0.2, le=0.8, description="face metering: the face's mean luminance to aim for")


class GPhotoSettings(_Section):
    """Tethered cameras through libgphoto2 (``camera.gphoto2:``)."""

    preview_max_fps: float = Field(
        15, ge=1, le=60, description="rate cap for live view (capture_preview) frames")
    still_timeout_s: float = Field(
        10, ge=1, le=120,
        description="how long to wait for the camera's file after triggering a still")
    delete_from_card: bool = Field(
        False, description="delete each still from the camera's card after downloading it")
    keep_raw: bool = Field(
        True, description="when the camera shoots JPG+RAW, keep the RAW file beside the JPEG")
    config: dict[str, GPhotoValue] = Field(
        default_factory=dict,
        description="gphoto2 config name -> value set when the camera connects, e.g. "
                    "{capturetarget: 'Memory card'}")
    preview_config: dict[str, GPhotoValue] = Field(
        default_factory=dict,
        description="gphoto2 config name -> value set for live view, e.g. {iso: '1600'}")
    still_config: dict[str, GPhotoValue] = Field(
        default_factory=dict,
        description="gphoto2 config name -> value set just before a still, e.g. {iso: '100'}")
    preview_failures: int = Field(
        10, ge=1, le=1000,
        description="consecutive failed live view reads after which the camera counts as "
                    "disconnected")


class ReplaySettings(_Section):
    """Replayed video files and image folders (``camera.replay:``)."""

    realtime: bool = Field(
        True, description="pace frames at the video's own rate; false = as fast as they are "
                          "read, every frame in order")
    loop: bool = Field(False, description="start again at the end instead of ending")
    folder_fps: float = Field(
        10, gt=0, le=240, description="frame rate given to a folder of images")
    speed: float = Field(
        1.0, ge=0.1, le=20, description="real-time pacing multiplier (2 = twice as fast)")


class WatchdogSettings(_Section):
    """Reconnecting lost cameras (``camera.watchdog:``)."""

    backoff_initial_s: float = Field(
        2.0, ge=0.01, le=60, description="wait before the first reconnect attempt")
    backoff_max_s: float = Field(
        20.0, ge=0.01, le=600, description="longest wait between reconnect attempts (doubles "
                                           "from backoff_initial_s)")
    stall_timeout_s: float = Field(
        5.0, ge=0.2, le=120,
        description="a live source that delivers no frame for this long is reconnected")
    min_fps: float = Field(
        2.0, ge=0, le=60,
        description="live view slower than this over slow_window_s is reconnected (0 = off)")
    slow_window_s: float = Field(
        10.0, ge=1, le=600, description="window over which min_fps is judged")
    max_attempts: int | None = Field(
        None, ge=1, le=100000,
        description="give up (state failed) after this many failed reconnects; null = never")
    wait_for_camera: bool = Field(
        False, description="start even if the camera is absent at launch and keep trying; "
                           "false = report it and stop")
    still_call_timeout_s: float = Field(
        30.0, ge=1, le=300,
        description="hard bound on one still call (a hung USB call is abandoned after this)")


class CameraSettings(_Section):
    """Which camera and how to drive it (``camera:``)."""

    source: str = Field(
        "webcam:0", description="webcam:N, gphoto2[:MODEL], hybrid:A+B, replay:PATH")
    jpeg_quality: int = Field(
        95, ge=50, le=100, description="JPEG quality for stills the app encodes (webcam, replay)")
    webcam: WebcamSettings = Field(default_factory=WebcamSettings)
    gphoto2: GPhotoSettings = Field(default_factory=GPhotoSettings)
    replay: ReplaySettings = Field(default_factory=ReplaySettings)
    watchdog: WatchdogSettings = Field(default_factory=WatchdogSettings)
