"""``headshot-kiosk serve``: the hand-off and dashboard server on its own.

Serves the guests' links (and, with a PIN set, the operator dashboard) over a photo
folder the kiosk wrote, e.g. on a second machine that shares the folder, or after the
kiosk has closed. The kiosk itself starts the same server in-process when
``handoff.enabled`` is true; this command runs it whatever that says. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import threading

from delivery.dashboard import Dashboard
from delivery.dashboard_auth import OperatorLogin
from delivery.handoff import HandoffService
from delivery.handoff_settings import split_bind
from delivery.web_server import ServerError
from kiosk.commands.common import UsageError, load_app_config
from kiosk.commands.stats import out_folder
from kiosk.operator import verify_pin


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, help="app config (default config/default.yaml)")
    p.add_argument("--photos", default=None,
                   help="the kiosk's output folder (default: storage.out_dir, else the "
                        "per-user data folder)")
    p.add_argument("--bind", default=None, help="HOST:PORT to listen on (default handoff.bind)")


def run(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    if args.bind is not None:
        try:
            split_bind(args.bind)
        except ValueError as exc:
            raise UsageError(f"--bind: {exc}") from None
    photos = out_folder(args.photos, cfg.storage.out_dir)
    if not photos.is_dir():
        raise UsageError(f"no photo folder at {photos} (--photos DIR names the kiosk's folder)")
    routes = None
    if cfg.handoff.dashboard:  # counters, photos and prints; no kiosk to command here
        pin_hash = cfg.operator.pin_hash
        check = (lambda pin: verify_pin(pin, pin_hash)) if pin_hash else None
        login = OperatorLogin(check, cfg.handoff.dashboard_session_min * 60.0)
        routes = Dashboard(photos, cfg, None, login).routes
    service = HandoffService(photos, cfg.handoff, bind=args.bind, extra_routes=routes)
    try:
        service.start()
    except ServerError as exc:
        raise UsageError(str(exc)) from None
    print(f"serving {photos} at {service.base_url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    finally:
        service.stop()
    return 0

