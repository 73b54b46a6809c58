"""Everything the current screen shows, as plain data (:class:`kiosk.screens.View`).

Built once a frame from the state machine's context and the booth's newest coaching
result; the screens only draw it. Kept apart from the loop so tests and the
screenshot command can build and inspect a view without a window.
"""

from __future__ import annotations

from dataclasses import dataclass

from coaching.composition import Composition
from coaching.framing_fit import compositions
from coaching.messages import Catalogue, load_catalogue
from coaching.metrics import Metrics
from coaching.preset_outputs import Output
from coaching.presets import Preset, Range
from kiosk.booth import Booth
from kiosk.config import AppConfig
from kiosk.screens import CoachView, FaceBox, Guide, OperatorView, Photo, SetProgress, View
from kiosk.states import PresetCard, State, StateMachine


@dataclass
class ViewInputs:
    """What a view is built from (the app's collaborators)."""

    cfg: AppConfig
    booth: Booth
    machine: StateMachine
    t0: float  # the app's start (the screens' animation clock)


def build_view(inp: ViewInputs, now: float, operator: OperatorView | None) -> View:
    m, booth = inp.machine, inp.booth
    ctx, state = m.ctx, m.state
    words = load_catalogue(guest_language(inp))
    v = View(state=state, t=now - inp.t0, age=now - ctx.state_since,
             presets=cards(words, ctx.presets), focus=ctx.focus,
             mirror=inp.cfg.ui.mirror_preview, aspect=inp.cfg.ui.still_aspect,
             allow_back=True, words=words, button=inp.cfg.ui.button,
             staffed=inp.cfg.ui.staffed, uploads=inp.cfg.mirror.enabled,
             languages=language_buttons(ctx.languages))
    frame = booth.camera.latest_frame()
    if frame is not None:
        v.frame = frame.image
        v.frame_key = frame.index
    preset = booth.current_preset()
    card = words.card(preset.name)
    v.preset_name = card.title if card is not None else preset.title
    v.hold_s = preset.hold_s
    if state is State.COACHING:
        coach_view(v, booth, preset, words)
        v.progress = set_progress(booth, m, now, words)
    elif state is State.CAPTURE:
        v.flash = max(0.0, 1.0 - (now - ctx.state_since) / m.timing.flash_s)
    elif state in (State.REVIEW, State.DONE):
        _review_view(v, m, now)
        if not booth.review_full_frame and len(v.photos) <= 1:
            _show_deliverable(v, m.ctx.shot, preset)
    elif state is State.RECONNECTING:
        v.camera_title, v.camera_detail = booth.camera_message(words)
        v.staff = [booth.camera.staff_line()]
    elif state is State.SETUP:
        fault = booth.setup_fault()
        if fault is not None:
            v.staff = [fault.what, *fault.fix]
    elif state is State.LOADING:
        v.loading_detail = words.ui("loading.warming" if booth.camera_live()
                                    else "loading.camera")
    if ctx.notice and now < ctx.notice_until:
        v.notice = words.ui(ctx.notice)
    v.operator = operator
    return v


def _review_view(v: View, m: StateMachine, now: float) -> None:
    ctx = m.ctx
    if ctx.shot is not None:
        v.photo = ctx.shot.image
        v.photo_key = (ctx.shot.path, ctx.shot.number)
    if len(ctx.shots) > 1:
        v.photos = [Photo(s.image, (s.path, s.number, i), s.record is not None)
                    for i, s in enumerate(ctx.shots) if s.image is not None]
    v.favourite = ctx.favourite
    v.summary = list(ctx.summary)
    v.location = ctx.location
    v.saved_count = sum(1 for s in ctx.shots if s.record is not None)
    v.session_code = ctx.session_code
    v.seconds_left = max(0.0, m.timing.done_s - (now - ctx.state_since))
    if ctx.delivery is not None:
        v.done_items = [item.text for item in ctx.delivery.items]
        v.done_qr = next((item.qr for item in ctx.delivery.items if item.qr), "")


def _show_deliverable(v: View, shot: object, preset: Preset) -> None:
    """The review shows what the guest will get: the first photo output's crop of the
    shot (composed from the shot's own metrics, as the deliverable is from the still's);
    the whole frame when no output can be cut from it (the operator's F key shows it)."""
    image = getattr(shot, "image", None)
    metrics = getattr(shot, "metrics", None)
    if image is None or metrics is None or not preset.photo_outputs():
        return
    crop = deliverable_crop(preset, metrics, image.shape[1], image.shape[0])
    if crop is not None:
        x0, y0, x1, y1 = crop
        v.photo = image[y0:y1, x0:x1]
        v.photo_key = (v.photo_key, "deliverable", crop)


def deliverable_crop(preset: Preset, metrics: Metrics, width: int, height: int
                     ) -> tuple[int, int, int, int] | None:
    """The first photo output's crop box in an image ``width`` x ``height``, or None.
    The metrics' frame may be a preview of the same view at another size (a DSLR still
    beside its live view): scaled when the shapes agree, else None (another camera)."""
    comps = compositions(preset, metrics)
    if not comps or comps[0].crop is None:
        return None
    fw, fh = int(metrics.frame_width_px or 0), int(metrics.frame_height_px or 0)
    if fw <= 0 or fh <= 0 or abs(fw / fh - width / height) > 0.01:
        return None
    sx, sy = width / fw, height / fh
    x0, y0, x1, y1 = comps[0].crop.box()
    box = (max(0, round(x0 * sx)), max(0, round(y0 * sy)),
           min(width, round(x1 * sx)), min(height, round(y1 * sy)))
    return box if box[2] - box[0] > 8 and box[3] - box[1] > 8 else None


def guest_language(inp: ViewInputs) -> str:
    """The language the guest reads: their pick, else the booth's (``coach.language``)."""
    return inp.machine.ctx.language or inp.cfg.coach.language


def language_buttons(codes: list[str]) -> list[tuple[str, str]]:
    """(code, the language's own name) for the picker; none when only one is offered."""
    return [(c, load_catalogue(c).name) for c in codes] if len(codes) > 1 else []


def cards(words: Catalogue, presets: list[PresetCard]) -> list[PresetCard]:
    """The use cards in the guest's language (a preset the catalogue has no card for
    keeps its own title and description)."""
    out = []
    for p in presets:
        c = words.card(p.key)
        out.append(p if c is None else PresetCard(p.key, c.title, c.line))
    return out


def set_progress(booth: Booth, m: StateMachine, now: float,
                 words: Catalogue | None = None) -> SetProgress | None:
    """The shot counter of a multi-shot preset, and the "saved" line just after a shot."""
    total = booth.shots_wanted()
    if total <= 1:
        return None
    taken = len(m.ctx.shots)
    if taken and now < m.ctx.saved_until:
        return SetProgress(min(taken + 1, total), total, saved=taken,
                           hint=booth.next_shot_hint(taken, words))
    return SetProgress(min(taken + 1, total), total)


def coach_view(v: View, booth: Booth, preset: Preset, words: Catalogue) -> None:
    res = booth.last_result
    p = booth.pipeline
    if p is not None and p.error is not None:
        v.coach = CoachView(status="adjusting", message=words.ui("coaching.manual_only"))
    st = res.state if res is not None else None
    if st is not None:
        prompt = st.prompt
        v.coach = CoachView(status=st.status, message=coach_words(words, st),
                            direction=getattr(prompt, "direction", None),
                            metric=getattr(prompt, "metric", None),
                            readiness=float(st.readiness),
                            hold_progress=float(st.hold_progress),
                            in_range=dict(st.in_range or {}),
                            key=str(getattr(prompt, "key", "") or ""))
    mt = getattr(st, "metrics", None) or (res.metrics if res is not None else None)
    if mt is not None and mt.faces and None not in (mt.face_center_x, mt.eye_line,
                                                   mt.head_height):
        v.face = FaceBox(0.5 + mt.face_center_x, mt.eye_line, mt.head_height)
    v.guide = guide_for(preset, v.coach.in_range if v.coach else {}, v.face, mt)


def coach_words(words: Catalogue, st: object) -> str:
    """The coach's line in the guest's language: the prompt from its key and fault size,
    else the state's text (the pipeline's own words are in the booth's language)."""
    prompt = getattr(st, "prompt", None)
    if prompt is not None and words.has(prompt.key):
        return words.prompt(prompt.key, getattr(prompt, "size", 0.0))
    status = str(getattr(st, "status", ""))
    text = words.state(status)
    return text if status and text != status else str(getattr(st, "message", ""))


def guide_for(preset: Preset, in_range: dict[str, bool], face: FaceBox | None = None,
              metrics: Metrics | None = None) -> Guide | None:
    """Target head outline and eye line. With photo outputs (once a face is seen): the
    first deliverable's crop with the head where its rule puts it. Otherwise the framing
    inside the preset's ranges nearest to where the face is (so a face already in range
    sits exactly in the oval, and one out of range sees the closest place that would
    do); without a face, the ranges' centres. Horizontally the oval follows the face
    within ``face_center_x``."""
    outputs = preset.photo_outputs()
    if outputs and metrics is not None and metrics.faces:
        comps = compositions(preset, metrics)
        if comps:
            return _crop_guide(outputs[0], comps[0], metrics,
                               bool(in_range.get("fits_outputs", False)))
    r = preset.ranges
    hh, el, cx = r.head_height, r.eye_line, r.face_center_x
    if hh is None and el is None:
        return None
    head = hh.centre(preset.tolerance("head_height")) if hh else 0.5
    eye = el.centre(preset.tolerance("eye_line")) if el else 0.4
    x = 0.5 + (cx.centre(preset.tolerance("face_center_x")) if cx else 0.0)
    if face is not None:
        head = _within(face.head_h, hh, head)
        eye = _within(face.eye_y, el, eye)
        x = 0.5 + _within(face.cx - 0.5, cx, x - 0.5)
    ok = all(in_range.get(k, True) for k in ("head_height", "eye_line", "face_center_x")) and \
        any(k in in_range for k in ("head_height", "eye_line"))
    return Guide(head_h=float(min(0.95, max(0.1, head))), eye_y=float(eye), ok=ok,
                 cx=float(min(0.9, max(0.1, x))))


def _within(value: float, rng: Range | None, default: float) -> float:
    """``value`` clamped into ``rng`` (its own bounds; ``default`` without a range)."""
    if rng is None:
        return default
    if rng.min is not None:
        value = max(value, rng.min)
    if rng.max is not None:
        value = min(value, rng.max)
    return value


def _crop_guide(output: Output, comp: Composition, m: Metrics, ok: bool) -> Guide | None:
    crop = comp.crop or comp.ideal
    if crop is None or output.rule is None or not m.frame_width_px or not m.frame_height_px:
        return None
    fw, fh = float(m.frame_width_px), float(m.frame_height_px)
    rule = output.rule
    eye = rule.eye_line.aim() if rule.eye_line is not None else 0.4
    head = rule.head.aim() * crop.h / fh
    return Guide(head_h=float(min(0.95, max(0.1, head))), eye_y=(crop.y + eye * crop.h) / fh,
                 ok=ok, cx=(crop.x + crop.w / 2) / fw,
                 crop=(crop.x / fw, crop.y / fh, crop.w / fw, crop.h / fh),
                 round=rule.circle is not None)
