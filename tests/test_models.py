"""Model registry: env folder, cache, and a real download from a local HTTP server.

The server runs on 127.0.0.1 and serves copies of ../shared/models files: a good one,
one with a flipped byte and a truncated one. Nothing leaves the machine.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from coaching import model_verify
from coaching.models import (
    ENV_BASE_URL,
    ENV_MODELS,
    MODELS,
    ModelError,
    cache_dir,
    check_model,
    ensure_model,
    model_status,
)
from kiosk.cli import main

FACE = MODELS["face"]


class _Server:
    """A real HTTP server on 127.0.0.1 over a folder, counting requests."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                server.requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/models"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture()
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty env folder and an empty cache: nothing is found without a download."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    empty = tmp_path / "env-models"
    empty.mkdir()
    monkeypatch.setenv(ENV_MODELS, str(empty))
    monkeypatch.delenv(ENV_BASE_URL, raising=False)
    return empty


@pytest.fixture()
def server(tmp_path: Path, shared: Path) -> Iterator[_Server]:
    root = tmp_path / "www"
    (root / "models").mkdir(parents=True)
    srv = _Server(root)
    yield srv
    srv.close()


def _serve(srv: _Server, shared: Path, kind: str) -> None:
    """Put a good, corrupted or truncated copy of face_landmarker.task on the server."""
    data = (shared / "models" / FACE.filename).read_bytes()
    if kind == "corrupted":
        i = len(data) // 2
        data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    elif kind == "truncated":
        data = data[: len(data) // 3]
    (srv.folder / "models" / FACE.filename).write_bytes(data)


def _one_line(exc: pytest.ExceptionInfo[ModelError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg
    return msg


def test_env_folder_is_used_first(shared: Path) -> None:
    path = ensure_model("face", offline=True)
    assert path == shared / "models" / FACE.filename
    assert model_status("pose_full") == (shared / "models" / MODELS["pose_full"].filename, "env")


def test_download_into_cache_with_progress(isolated: Path, server: _Server, shared: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _serve(server, shared, "good")
    assert model_status("face") == (None, "missing")
    path = ensure_model("face", base_url=server.url, progress=True)
    assert path == cache_dir() / FACE.filename
    assert hashlib.sha256(path.read_bytes()).hexdigest() == FACE.sha256
    assert "100%" in capsys.readouterr().err
    assert not [p for p in cache_dir().iterdir() if p.name.endswith(".part")]
    assert model_status("face") == (path, "cache")
    # Found in the cache now: no second request.
    assert ensure_model("face", base_url=server.url) == path
    assert len(server.requests) == 1


def test_base_url_from_environment(isolated: Path, server: _Server, shared: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _serve(server, shared, "good")
    monkeypatch.setenv(ENV_BASE_URL, server.url + "/")
    assert ensure_model("face", progress=False).parent == cache_dir()


@pytest.mark.parametrize(("kind", "fragment"), [
    ("corrupted", "wrong SHA-256"),
    ("truncated", "truncated"),
    ("absent", "HTTP 404"),
])
def test_bad_download_is_refused(isolated: Path, server: _Server, shared: Path, kind: str,
                                 fragment: str) -> None:
    if kind != "absent":
        _serve(server, shared, kind)
    with pytest.raises(ModelError) as exc:
        ensure_model("face", base_url=server.url, progress=False)
    msg = _one_line(exc)
    assert fragment in msg
    assert FACE.filename in msg and server.url in msg and str(cache_dir()) in msg
    # Nothing half-written is left behind, and nothing bad is in the cache.
    assert not (cache_dir() / FACE.filename).exists()
    assert not list(cache_dir().glob(".*.part"))


def test_no_network_says_where_to_put_the_file(isolated: Path) -> None:
    with socket.socket() as s:  # a port on 127.0.0.1 with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ModelError) as exc:
        ensure_model("face", base_url=f"http://127.0.0.1:{port}", progress=False)
    msg = _one_line(exc)
    assert "cannot download" in msg and str(isolated) in msg and str(cache_dir()) in msg


def test_offline_never_downloads(isolated: Path, server: _Server, shared: Path) -> None:
    _serve(server, shared, "good")
    with pytest.raises(ModelError) as exc:
        ensure_model("face", offline=True, base_url=server.url)
    msg = _one_line(exc)
    assert "--offline" in msg and FACE.filename in msg and server.url in msg
    assert server.requests == []


@pytest.mark.parametrize(("kind", "fragment"), [
    ("corrupted", "wrong SHA-256"),
    ("truncated", "truncated"),
])
def test_bad_file_in_env_folder(isolated: Path, shared: Path, kind: str, fragment: str) -> None:
    data = (shared / "models" / FACE.filename).read_bytes()
    if kind == "corrupted":
        data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
    else:
        data = data[:1000]
    (isolated / FACE.filename).write_bytes(data)
    with pytest.raises(ModelError) as exc:
        ensure_model("face")
    msg = _one_line(exc)
    assert fragment in msg and str(isolated / FACE.filename).rsplit("/", 1)[0] in msg
    assert FACE.url in msg
    assert model_status("face") == (None, "missing")
    assert check_model("face").where == "env"


def test_bad_cache_file_is_replaced_by_a_download(isolated: Path, server: _Server,
                                                  shared: Path) -> None:
    cache_dir().mkdir(parents=True)
    (cache_dir() / FACE.filename).write_bytes(b"not a model")
    with pytest.raises(ModelError) as exc:
        ensure_model("face", offline=True)
    assert "truncated" in _one_line(exc)
    _serve(server, shared, "good")
    path = ensure_model("face", base_url=server.url, progress=False)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == FACE.sha256


def test_hash_is_checked_once_per_file_version(isolated: Path, shared: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    copy = isolated / FACE.filename
    shutil.copyfile(shared / "models" / FACE.filename, copy)
    hashed: list[Path] = []
    real = model_verify._sha256
    monkeypatch.setattr(model_verify, "_sha256", lambda p: hashed.append(p) or real(p))
    assert ensure_model("face") == copy
    model_verify._verified.clear()  # as in a new process: only the stamp file remembers
    assert ensure_model("face") == copy
    assert len(hashed) == 1
    # A changed file (new mtime) is hashed again, and a bad byte is caught.
    data = bytearray(copy.read_bytes())
    data[5000] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="wrong SHA-256"):
        ensure_model("face")
    assert len(hashed) == 2


@pytest.mark.parametrize("name", ["pose_heavy", "nonsense"])
def test_unknown_or_unpinned_model_lists_the_choices(name: str) -> None:
    with pytest.raises(ModelError) as exc:
        ensure_model(name)
    msg = _one_line(exc)
    assert name in msg and "pose_full" in msg and "pose_lite" in msg


def test_models_command_lists_where_each_is(shared: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0  # face and pose_full are in ../shared/models
    out = capsys.readouterr().out
    face_line = next(line for line in out.splitlines() if line.startswith("face "))
    assert FACE.filename in face_line and "env folder" in face_line
    assert str(shared / "models" / FACE.filename) in face_line
    lite_line = next(line for line in out.splitlines() if line.startswith("pose_lite"))
    assert "missing" in lite_line


def test_models_fetch_command(isolated: Path, server: _Server, shared: Path,
                              monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.url)
    assert main(["--offline", "models", "fetch", "face"]) == 2
    assert "--offline" in capsys.readouterr().err
    _serve(server, shared, "corrupted")
    assert main(["models", "fetch", "face"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "wrong SHA-256" in err[-1] and err[-1].startswith("headshot-kiosk: ")
    _serve(server, shared, "good")
    assert main(["models", "fetch", "face"]) == 0
    assert (cache_dir() / FACE.filename).exists()
    assert main(["models", "fetch", "pose_heavy"]) == 2  # a usage error, listing the choices
    assert "pose_full" in capsys.readouterr().err


def test_models_fetch_from_a_folder_installs_verified_copies_offline(
        isolated: Path, shared: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    stick = tmp_path / "usb-stick"
    (stick / "models").mkdir(parents=True)  # the files one folder down, as on a stick
    damaged = stick / "models" / FACE.filename
    damaged.write_bytes(b"\0" * FACE.size)  # the right size, the wrong bytes
    assert main(["--offline", "models", "fetch", "--from", str(stick)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2, err  # one line per model: the face is damaged, the pose absent
    zeros = hashlib.sha256(b"\0" * FACE.size).hexdigest()[:12]
    assert err[0] == (f"headshot-kiosk: {damaged} has the wrong SHA-256 ({zeros}..., "
                      f"expected {FACE.sha256[:12]}...); not installed (get a good copy, "
                      f"{FACE.size:,} bytes, from {FACE.url})")
    assert err[1].startswith(f"headshot-kiosk: {MODELS['pose_full'].filename} is not in {stick}")
    assert not (cache_dir() / FACE.filename).exists()
    for spec in (FACE, MODELS["pose_full"]):
        shutil.copyfile(shared / "models" / spec.filename, stick / "models" / spec.filename)
    assert main(["--offline", "models", "fetch", "--from", str(stick)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"face: installed {cache_dir() / FACE.filename} (verified, from {stick})",
                   f"pose_full: installed {cache_dir() / MODELS['pose_full'].filename} "
                   f"(verified, from {stick})"]
    assert model_status("face") == (cache_dir() / FACE.filename, "cache")
    assert main(["models"]) == 0
    assert main(["models", "--from", str(stick)]) == 2
    assert "--from goes with fetch" in capsys.readouterr().err
