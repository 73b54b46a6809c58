"""Mirroring kept photos and the day logs to S3-compatible storage (or any rclone
remote), in the background.

A built-in plugin (``mirror``, configured by ``mirror:``), off by default. A thread of
its own scans the output folder (at start, after every kept set and session end, and
every ``scan_every_s``) for what may leave the booth: each kept photo (its sidecar says
``kept: true``) with its sidecar and the files made from it (``shot-NNN.<what>.jpg``),
and the day logs (``sessions-*.jsonl``, ``prints-*.jsonl``). Unkept photos never leave.
What was uploaded is recorded (``OUT/mirror-state.json``, written atomically after each
file, by size and modification time), so after a power cut or a restart the scan simply
carries on with what is missing or changed (a growing day log is sent again). A failed
upload (the server gone, mid-upload or before) backs off from ``retry_initial_s`` to
``retry_max_s`` and tries again; the kiosk never waits on any of it.

Credentials come from the usual AWS places (environment, ``~/.aws``), never the config.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from coaching.files import write_atomic
from delivery.handoff_files import kept_numbers
from delivery.handoff_links import SESSION_RE
from delivery.handoff_settings import MirrorSettings
from delivery.hooks import BoothInfo, Deliverable, PhotoInfo, SessionInfo, hookimpl

log = logging.getLogger(__name__)
STATE_NAME = "mirror-state.json"
_LOG_RE = re.compile(r"^(sessions|prints)-\d{4}-\d{2}-\d{2}\.jsonl$")
_SHOT_RE = re.compile(r"^shot-(\d{3,})\.(?:[A-Za-z0-9_-]+\.)?(jpg|jpeg|png|tif|tiff|json)$")


def eligible(out_dir: Path) -> list[Path]:
    """Every file that may be mirrored now, oldest sessions first."""
    out: list[Path] = []
    root = Path(out_dir)
    for p in sorted(root.iterdir()):
        if p.is_symlink():
            continue
        if p.is_file() and _LOG_RE.match(p.name):
            out.append(p)
        elif p.is_dir() and SESSION_RE.match(p.name):
            kept = kept_numbers(p)
            out += [f for f in sorted(p.iterdir())
                    if (m := _SHOT_RE.match(f.name)) and int(m.group(1)) in kept
                    and f.is_file() and not f.is_symlink()]
    return out


class RcloneClient:
    """``rclone copyto`` per file (any remote rclone knows: SFTP, a NAS, Drive, ...),
    shaped like boto3's ``upload_file`` so the mirror does not care which it has."""

    def __init__(self, remote: str, timeout_s: float = 600.0) -> None:
        self.remote = remote.rstrip("/")
        self.timeout_s = timeout_s

    def upload_file(self, filename: str, bucket: str, key: str,
                    Callback: Callable[[int], None] | None = None) -> None:  # noqa: N803
        del bucket  # boto3's shape; the remote names the place
        try:
            r = subprocess.run(["rclone", "copyto", "--retries", "1", filename,
                                f"{self.remote}/{key}"], capture_output=True, text=True,
                               timeout=self.timeout_s, check=False)
        except FileNotFoundError:
            raise RuntimeError("rclone is not installed (Debian: apt-get install rclone)"
                               ) from None
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"rclone took over {self.timeout_s:g} s") from None
        if r.returncode != 0:
            lines = [ln for ln in r.stderr.splitlines() if "ERROR" in ln] or \
                r.stderr.splitlines() or ["no reason given"]
            raise RuntimeError(f"rclone: {lines[-1].strip()[:200]}")
        if Callback is not None:
            Callback(Path(filename).stat().st_size)


class Mirror:
    """The mirroring thread over one output folder."""

    def __init__(self, out_dir: Path, settings: MirrorSettings, *,
                 client: Any = None, progress: Callable[[int], None] | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.s = settings
        if client is None and settings.rclone_remote:
            client = RcloneClient(settings.rclone_remote)
        self.client = client or boto3.client(
            "s3", endpoint_url=settings.endpoint_url, region_name=settings.region,
            config=BotoConfig(retries={"max_attempts": 1}, connect_timeout=5,
                              read_timeout=30))
        self.progress = progress  # bytes sent, per chunk (tests: a server that goes away)
        self.uploaded = 0
        self.failures = 0
        self.last_error = ""
        self.idle = threading.Event()  # set while nothing is left to upload
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._state = self._load()
        self._thread = threading.Thread(target=self._run, name="mirror", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(10.0)

    def wake(self) -> None:
        self.idle.clear()
        self._wake.set()

    def pending(self) -> list[Path]:
        out = []
        for p in eligible(self.out_dir):
            try:
                st = p.stat()
            except OSError:
                continue
            if self._state.get(self._key(p)) != [st.st_size, st.st_mtime_ns]:
                out.append(p)
        return out

    # -- the thread --------------------------------------------------------------------
    def _run(self) -> None:
        wait = self.s.retry_initial_s
        while not self._stop.is_set():
            try:
                todo = self.pending()
                for p in todo:
                    if self._stop.is_set():
                        return
                    self._upload(p)
                wait = self.s.retry_initial_s
                if not self.pending():
                    self.idle.set()
                self._wake.wait(self.s.scan_every_s)
            except Exception as exc:  # noqa: BLE001 - a server away, a file gone: retry
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                log.warning("mirror: %s; next try in %.0f s", self.last_error, wait)
                self._wake.wait(wait)
                wait = min(self.s.retry_max_s, wait * 2)
            self._wake.clear()

    def _upload(self, path: Path) -> None:
        st = path.stat()
        key = self._key(path)
        self.client.upload_file(str(path), self.s.bucket, self.s.prefix + key,
                                Callback=self.progress)
        self._state[key] = [st.st_size, st.st_mtime_ns]
        write_atomic(self.out_dir / STATE_NAME, json.dumps(self._state).encode("utf-8"),
                     overwrite=True)
        self.uploaded += 1
        self.last_error = ""
        log.info("mirror: uploaded %s", key)

    def _key(self, path: Path) -> str:
        return path.relative_to(self.out_dir).as_posix()

    def _load(self) -> dict[str, list[int]]:
        try:
            data = json.loads((self.out_dir / STATE_NAME).read_text(encoding="utf-8"))
            return {str(k): list(v) for k, v in data.items()} if isinstance(data, dict) else {}
        except (OSError, ValueError, TypeError):
            return {}  # no record (or a damaged one): send again, nothing is lost


class MirrorPlugin:
    name = "mirror"

    def __init__(self) -> None:
        self.mirror: Mirror | None = None

    @hookimpl
    def kiosk_startup(self, booth: BoothInfo) -> None:
        s = booth.config.mirror
        if s.enabled:
            self.mirror = Mirror(booth.out_dir, s)
            self.mirror.start()

    @hookimpl
    def kiosk_shutdown(self) -> None:
        if self.mirror is not None:
            self.mirror.stop()

    @hookimpl
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> list[Deliverable] | None:
        if self.mirror is not None:
            self.mirror.wake()
        return None

    @hookimpl
    def session_ended(self, session: SessionInfo) -> None:
        if self.mirror is not None:
            self.mirror.wake()

    @hookimpl
    def operator_status(self) -> list[str] | None:
        m = self.mirror
        if m is None or not m.last_error:
            return None
        return [f"mirror: {m.last_error} (retrying)"]
