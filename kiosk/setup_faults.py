"""Set-up faults staff must fix before guests can use the booth, worded for staff.

The kiosk shows them on its set-up screen (the guest reads only "The booth is getting
ready"), logs them, and ``headshot-kiosk doctor`` checks the same things before the
doors open. Each is a :class:`~kiosk.state_data.SetupFault`: one line saying what is
wrong, then one line per way to fix it with the exact command.
"""

from __future__ import annotations

from coaching.models import ENV_MODELS, ModelCheck, ModelError, cache_dir, check_model, env_dir
from kiosk.config import AppConfig
from kiosk.state_data import SetupFault

FETCH_FROM = "headshot-kiosk models fetch --from FOLDER"


def required_models(cfg: AppConfig) -> list[str]:
    """The model names the kiosk needs with this config (face, and the pose variant)."""
    return ["face", f"pose_{cfg.analysis.pose_model}"]


def model_checks(cfg: AppConfig) -> list[ModelCheck]:
    """What :func:`coaching.models.check_model` finds for each required model (no download)."""
    return [check_model(name) for name in required_models(cfg)]


def where_models_go() -> str:
    env = env_dir()
    return (f"{env} (${ENV_MODELS}) or {cache_dir()}" if env
            else f"{cache_dir()} (or a folder named by ${ENV_MODELS})")


def models_fault(cfg: AppConfig) -> SetupFault | None:
    """None when every required model is present and verified; else what to do."""
    try:
        checks = model_checks(cfg)
    except ModelError as exc:  # an unusable variant (pose_model: heavy)
        return SetupFault(f"Model not available: {exc}",
                          ("Set analysis.pose_model to full or lite in the config.",))
    bad = [c for c in checks if not c.ok]
    if not bad:
        return None
    return _models_fault([c.spec.filename for c in bad if c.path is None],
                         [f"{c.path} {c.problem}" for c in bad if c.path is not None])


def _models_fault(missing: list[str], broken: list[str]) -> SetupFault:
    parts = []
    if missing:
        parts.append("Models missing: " + ", ".join(missing))
    if broken:
        parts.append("Models damaged: " + ", ".join(broken))
    return SetupFault(
        "; ".join(parts),
        (f"From a USB stick or folder holding the model files: {FETCH_FROM} "
         "(copies verified by size and SHA-256)",
         f"With internet: headshot-kiosk models fetch. They go in {where_models_go()}.",
         "Check with: headshot-kiosk models (or headshot-kiosk doctor)"))


def models_fault_example() -> SetupFault:
    """What the set-up screen says when no model is there (for ``screenshots``)."""
    return _models_fault(["face_landmarker.task", "pose_landmarker_full.task"], [])


def coach_fault(error: str) -> SetupFault:
    """The coach could not start for a reason other than the model files."""
    return SetupFault(f"The coach could not start: {error}",
                      ("Check the config with: headshot-kiosk check-config; the details are "
                       "in kiosk.log. Then restart the kiosk.",))
