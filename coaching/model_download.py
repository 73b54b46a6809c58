"""Fetch a pinned model into the cache: streamed, size- and hash-checked, moved
into place atomically, with a progress bar on stderr."""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from coaching.appdirs import APP_NAME
from coaching.files import fsync_dir
from coaching.model_registry import ModelError, ModelSpec, cache_dir, where_to_put
from coaching.model_verify import remember_verified

_CHUNK = 1 << 16


def download(spec: ModelSpec, url: str, progress: bool | None,
             base_url: str | None) -> Path:
    """Fetch ``url`` into the cache: streamed, size- and hash-checked, atomically moved."""
    folder = cache_dir()
    dest = folder / spec.filename
    where = where_to_put(spec, base_url, url_said=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create the model cache {folder}: {exc.strerror or exc}; "
                         f"{where_to_put(spec, base_url)}") from None
    bar = _Progress(spec.filename, spec.size, progress)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{spec.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        got = 0
        ok = False
        try:
            req = urllib.request.Request(url, headers={"User-Agent": f"{APP_NAME} model fetch"})
            with urllib.request.urlopen(req, timeout=30) as resp, os.fdopen(fd, "wb") as out:
                fd = -1
                while True:
                    block = resp.read(_CHUNK)
                    if not block:
                        break
                    got += len(block)
                    if got > spec.size:
                        raise ModelError(
                            f"download of {spec.filename} from {url} is larger than the "
                            f"pinned {spec.size:,} bytes; {where}")
                    h.update(block)
                    out.write(block)
                    bar.update(got)
                out.flush()
                os.fsync(out.fileno())
            ok = True
        except urllib.error.HTTPError as exc:
            raise ModelError(f"cannot download {spec.filename} from {url}: HTTP {exc.code} "
                             f"{exc.reason}; {where}") from None
        except http.client.HTTPException as exc:
            raise ModelError(f"download of {spec.filename} from {url} broke off after "
                             f"{got:,} of {spec.size:,} bytes ({type(exc).__name__}); "
                             f"{where}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            raise ModelError(f"cannot download {spec.filename} from {url} ({reason}); "
                             f"no network? {where}") from None
        finally:
            if fd >= 0:
                os.close(fd)
            bar.done(got, ok)
        if got != spec.size:
            raise ModelError(f"download of {spec.filename} from {url} is truncated "
                             f"({got:,} of {spec.size:,} bytes); {where}")
        sha = h.hexdigest()
        if sha != spec.sha256:
            raise ModelError(f"download of {spec.filename} from {url} has the wrong SHA-256 "
                             f"({sha[:12]}..., expected {spec.sha256[:12]}...); "
                             f"{where}")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    remember_verified(dest, spec.sha256)
    return dest


class _Progress:
    """A one-line progress bar on stderr (redrawn at most 10 times a second).

    Without a terminal (logs, CI) it prints one line at the start and one at the end
    instead of a stream of carriage returns.
    """

    def __init__(self, label: str, total: int, enabled: bool | None) -> None:
        self.stream = sys.stderr
        self.label = label
        self.total = total
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.live = isatty() if enabled is None else enabled
        self.last = 0.0
        print(f"downloading {label} ({total / 1e6:.1f} MB)" + ("" if self.live else " ..."),
              file=self.stream, end="" if self.live else "\n", flush=True)

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.live or now - self.last < 0.1:
            return
        self.last = now
        frac = min(done / self.total, 1.0) if self.total else 1.0
        width = 30
        fill = int(frac * width)
        print(f"\rdownloading {self.label} [{'#' * fill}{'.' * (width - fill)}] "
              f"{frac:4.0%} {done / 1e6:.1f}/{self.total / 1e6:.1f} MB",
              file=self.stream, end="", flush=True)

    def done(self, got: int, ok: bool) -> None:
        if self.live:
            self.last = 0.0
            self.update(got)
            print(file=self.stream, flush=True)
        elif ok:
            print(f"downloaded {self.label}: {got / 1e6:.1f} MB", file=self.stream, flush=True)
