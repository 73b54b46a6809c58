"""The real models on real photos: signs, faces counted, bad input, accuracy floors.

Floors are a little below what the full benchmark (benchmarks/accuracy.py) measures on
these evenly spaced subsets, so noise does not fail CI but a regression does.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from coaching import geometry as g
from coaching.landmarks import FaceTracker, Observation, PhotoAnalyzer, PoseTracker
from coaching.metrics import Metrics, compute_metrics, eyes_closed_threshold
from coaching.settings import AnalysisSettings

SETTINGS = AnalysisSettings()


def load(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr is not None, path
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def analyzer():
    with PhotoAnalyzer(pose="full") as a:
        yield a


@pytest.fixture(scope="module")
def face_only():
    with PhotoAnalyzer(pose=None) as a:
        yield a


def measure(a: PhotoAnalyzer, path: Path) -> tuple[Observation, Metrics]:
    rgb = load(path)
    obs = a.analyze(rgb)
    return obs, compute_metrics(obs, rgb, SETTINGS)


def genki_labels(eval_dir: Path) -> list[dict]:
    with open(eval_dir / "genki4k-dev" / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:  # GENKI's signs are ours (../shared/eval/README.md); radians
        for k in ("yaw", "pitch", "roll"):
            r[k] = math.degrees(float(r[f"{k}_rad"]))
        r["path"] = eval_dir / "genki4k-dev" / r["file"]
    return rows


def evenly(rows: list, n: int) -> list:
    idx = np.linspace(0, len(rows) - 1, n).round().astype(int)
    return [rows[i] for i in idx]


# --------------------------------------------------------------------------- signs


@pytest.mark.parametrize("key", ["yaw", "roll"])
def test_signs_on_clearly_turned_and_tilted_genki_faces(face_only, eval_dir, key) -> None:
    rows = sorted(genki_labels(eval_dir), key=lambda r: r[key])
    extremes = rows[:4] + rows[-4:]  # most negative and most positive labels
    for r in extremes:
        _, m = measure(face_only, r["path"])
        ours = getattr(m, f"{key}_deg")
        assert ours is not None and np.sign(ours) == np.sign(r[key]), (r["file"], r[key], ours)


def test_pitch_sign_on_clearly_nodding_genki_faces(face_only, eval_dir) -> None:
    """GENKI's pitch zero sits ~7 deg below ours (its labels read a level face +7), so
    its extremes, not its sign near zero, tell chin up from chin down."""
    rows = sorted(genki_labels(eval_dir), key=lambda r: r["pitch"])
    downs = [measure(face_only, r["path"])[1].pitch_deg for r in rows[:4]]
    ups = [measure(face_only, r["path"])[1].pitch_deg for r in rows[-4:]]
    assert all(p is not None and p < -5 for p in downs), downs
    assert all(p is not None and p > 5 for p in ups), ups


def test_aflw_large_turns_have_our_sign(face_only, eval_dir) -> None:
    base = eval_dir / "aflw2000-sample"
    # AFLW: yaw > 0 = nose toward image LEFT; ours is the opposite.
    _, m = measure(face_only, base / "image00251.jpg")  # AFLW -54.7: face to image right
    _, m2 = measure(face_only, base / "image00475.jpg")  # AFLW +65.6: face to image left
    assert m.yaw_deg is not None and m.yaw_deg > 25
    assert m2.yaw_deg is not None and m2.yaw_deg < -25


def test_mirror_flips_yaw_and_roll(face_only, media) -> None:
    rgb = load(media / "45-m7-di-ph.jpg")  # turned to his right: face toward image left
    a = compute_metrics(face_only.analyze(rgb), rgb, SETTINGS)
    flipped = np.ascontiguousarray(rgb[:, ::-1])
    b = compute_metrics(face_only.analyze(flipped), flipped, SETTINGS)
    assert a.yaw_deg < -25 and b.yaw_deg > 25
    assert a.yaw_deg == pytest.approx(-b.yaw_deg, abs=4)
    assert a.roll_deg == pytest.approx(-b.roll_deg, abs=2)
    assert a.pitch_deg == pytest.approx(b.pitch_deg, abs=3)


def test_rotated_photo_reads_as_roll(face_only, media) -> None:
    rgb = load(media / "single_face.jpg")
    h, w = rgb.shape[:2]
    base = compute_metrics(face_only.analyze(rgb), rgb, SETTINGS).roll_deg
    # cv2 angle > 0 rotates counter-clockwise in the image; we want clockwise = +roll
    rot = cv2.warpAffine(rgb, cv2.getRotationMatrix2D((w / 2, h / 2), -15, 1.0), (w, h),
                         borderMode=cv2.BORDER_REPLICATE)
    tilted = compute_metrics(face_only.analyze(rot), rot, SETTINGS).roll_deg
    assert tilted - base == pytest.approx(15, abs=2)


def test_smile_teeth_and_neutral(analyzer, media, eval_dir) -> None:
    _, m = measure(analyzer, media / "single_face.jpg")  # broad smile with teeth
    assert m.smiling and m.teeth_visible and m.smile > 0.6
    yale = eval_dir / "yalefaces" / "png"
    _, happy = measure(analyzer, yale / "subject02_happy.png")
    _, normal = measure(analyzer, yale / "subject02_normal.png")
    assert happy.smiling and not normal.smiling
    assert normal.mouth_open is False and normal.teeth_visible is False
    _, surprised = measure(analyzer, media / "0-f1-su-ph.jpg")
    assert surprised.mouth_open is True and not surprised.smiling


def test_shoulders_on_a_head_and_shoulders_photo(analyzer, media, eval_dir) -> None:
    _, m = measure(analyzer, media / "single_face.jpg")
    # His left shoulder (image right) sits lower in the frame.
    assert m.shoulder_tilt_deg is not None and m.shoulder_tilt_deg < -3
    assert m.shoulder_turn_deg is not None and abs(m.shoulder_turn_deg) < 20
    # Yale crops cut at the collar: the pose model guesses shoulders below the frame.
    _, y = measure(analyzer, eval_dir / "yalefaces" / "png" / "subject01_normal.png")
    assert y.shoulder_turn_deg is None and y.shoulder_tilt_deg is None


def test_eyes_closed_and_wink(face_only, eval_dir) -> None:
    cew = eval_dir / "cew-closed-dev" / "files"
    closed = sorted(cew.iterdir())[:6]
    results = [measure(face_only, p)[1].eyes_closed for p in closed]
    assert sum(bool(r) for r in results) >= 5, results
    yale = eval_dir / "yalefaces" / "png"
    _, open_ = measure(face_only, yale / "subject01_normal.png")
    assert open_.eyes_closed is False and open_.eye_open_left > 0.7
    _, sleepy = measure(face_only, yale / "subject03_sleepy.png")
    assert sleepy.eyes_closed is True
    # subject05 winks with his own left eye (image right)
    _, wink = measure(face_only, yale / "subject05_wink.png")
    assert wink.eye_open_left < wink.eye_open_right


def test_multi_face_photo_has_five_faces(analyzer, media) -> None:
    obs, m = measure(analyzer, media / "multi_face.jpg")
    assert m.faces == 5
    areas = [np.ptp(f.landmarks[:, 0]) * np.ptp(f.landmarks[:, 1]) for f in obs.faces]
    assert areas == sorted(areas, reverse=True)  # largest first


def test_framing_numbers_are_sane(analyzer, media) -> None:
    _, m = measure(analyzer, media / "single_face.jpg")
    assert 0.4 < m.head_height < 0.7
    assert 0.3 < m.eye_line < 0.55
    assert abs(m.face_center_x) < 0.1
    assert 0.0 < m.headroom < m.eye_line
    assert 60 < m.eye_distance_px < 100
    assert m.sharpness > 50 and 0.3 < m.exposure < 0.8
    assert m.clipped_dark < 0.05 and m.clipped_bright < 0.05
    assert abs(m.light_balance) < 0.2


# --------------------------------------------------------------------------- no face / bad


def test_face_less_frames_give_null_metrics(analyzer, media) -> None:
    cap = cv2.VideoCapture(str(media / "no_face.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 40)
    ok, bgr = cap.read()
    cap.release()
    assert ok
    for rgb in (cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.full((300, 400, 3), 127, np.uint8)):
        m = compute_metrics(analyzer.analyze(rgb), rgb, SETTINGS)
        assert m.faces == 0
        assert all(v is None for k, v in m.to_dict().items() if k != "faces")


def test_bad_arrays_are_refused(analyzer) -> None:
    for bad in (np.zeros((0, 0, 3), np.uint8), np.zeros((10, 10), np.uint8),
                np.zeros((10, 10, 3), np.float32)):
        with pytest.raises(ValueError):
            analyzer.analyze(bad)


# --------------------------------------------------------------------------- video mode


def test_video_mode_tolerates_repeated_and_backward_timestamps(media) -> None:
    cap = cv2.VideoCapture(str(media / "single_face.mp4"))
    frames = []
    while len(frames) < 6:
        ok, bgr = cap.read()
        assert ok
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    with FaceTracker("video") as ft, PoseTracker("video") as pt:
        for ts, rgb in zip([0, 33, 33, 20, 66, None], frames, strict=True):
            faces = ft.detect(rgb, ts)
            assert len(faces) == 1
            assert faces[0].landmarks.shape == (478, 3) and faces[0].matrix.shape == (4, 4)
            assert len(faces[0].blendshapes) == 52
            pose = pt.detect(rgb, ts)
            assert pose is not None and pose.landmarks.shape == (33, 5)
            assert pose.world.shape == (33, 3)
    with pytest.raises(RuntimeError):
        ft.detect(frames[0])  # closed


def test_fast_result_path_equals_public_api(media) -> None:
    rgb = load(media / "single_face.jpg")
    with FaceTracker("image", max_faces=2) as ft, PoseTracker("image") as pt:
        fast_f, fast_p = ft.detect(rgb), pt.detect(rgb)
        ft._fast = pt._fast = False
        slow_f, slow_p = ft.detect(rgb), pt.detect(rgb)
    np.testing.assert_allclose(fast_f[0].landmarks, slow_f[0].landmarks, atol=1e-6)
    np.testing.assert_allclose(fast_f[0].matrix, slow_f[0].matrix, atol=1e-6)
    assert fast_f[0].blendshapes == pytest.approx(slow_f[0].blendshapes, abs=1e-6)
    np.testing.assert_allclose(fast_p.landmarks, slow_p.landmarks, atol=1e-6)
    np.testing.assert_allclose(fast_p.world, slow_p.world, atol=1e-6)


def test_nothing_printed_when_landmarkers_are_left_open(tmp_path) -> None:
    """Native log lines are silenced and a forgotten landmarker is closed at exit
    without MediaPipe's finaliser traceback."""
    code = ("import numpy as np\n"
            "from coaching.landmarks import PhotoAnalyzer, FaceTracker\n"
            "a = PhotoAnalyzer(); a.analyze(np.zeros((240, 320, 3), np.uint8))\n"
            "f = FaceTracker('video'); f.detect(np.zeros((240, 320, 3), np.uint8))\n"
            "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
    assert r.stderr == ""


def test_eyes_closed_threshold_rises_for_tiny_eyes() -> None:
    s = AnalysisSettings(eyes_closed_threshold=0.5, eyes_small_px=20,
                         eyes_closed_threshold_small=0.7)
    assert eyes_closed_threshold(40, s) == eyes_closed_threshold(20, s) == 0.5
    assert eyes_closed_threshold(10, s) == eyes_closed_threshold(3, s) == 0.7
    assert eyes_closed_threshold(15, s) == pytest.approx(0.6)
    assert eyes_closed_threshold(5, s.model_copy(update={"eyes_small_px": 0})) == 0.5


def test_tiny_open_eyes_read_open_and_tiny_closed_eyes_closed(face_only, eval_dir) -> None:
    """Smiling GENKI faces with 11-13 px eyes read closed with one threshold; the
    size-aware one reads them open, while a CEW face with 8 px shut eyes stays closed."""
    for name in ("file0687.jpg", "file1569.jpg"):
        _, m = measure(face_only, eval_dir / "genki4k-dev" / "files" / name)
        closure = 1 - (m.eye_open_left + m.eye_open_right) / 2
        assert closure > SETTINGS.eyes_closed_threshold, (name, closure)
        assert m.eyes_closed is False, name
    cew = eval_dir / "cew-closed-dev" / "files" / "closed_eye_0754.jpg_face_1.jpg"
    assert measure(face_only, cew)[1].eyes_closed is True


# --------------------------------------------------------------------------- accuracy floors


def test_accuracy_floors_on_genki_subset(face_only, eval_dir) -> None:
    rows = evenly(genki_labels(eval_dir), 150)
    err = {"yaw": [], "pitch": [], "roll": []}
    smile_ok, closed = [], []
    found = 0
    for r in rows:
        _, m = measure(face_only, r["path"])
        if not m.faces:
            continue
        found += 1
        for k in err:
            err[k].append(getattr(m, f"{k}_deg") - r[k])
        smile_ok.append(bool(m.smiling) == (r["smile"] == "1"))
        closed.append(bool(m.eyes_closed))
    assert found / len(rows) >= 0.98
    yaw_mae = np.mean(np.abs(err["yaw"]))
    roll_mae = np.mean(np.abs(err["roll"]))
    pitch = np.array(err["pitch"])
    pitch_mae_aligned = np.mean(np.abs(pitch - np.median(pitch)))
    assert yaw_mae <= YAW_MAE_MAX, yaw_mae
    assert roll_mae <= ROLL_MAE_MAX, roll_mae
    assert pitch_mae_aligned <= PITCH_MAE_ALIGNED_MAX, pitch_mae_aligned
    assert np.mean(smile_ok) >= SMILE_ACC_MIN, np.mean(smile_ok)
    assert np.mean(closed) <= GENKI_FALSE_CLOSED_MAX, np.mean(closed)


def test_eyes_closed_recall_floor_on_cew_subset(face_only, eval_dir) -> None:
    with open(eval_dir / "cew-closed-dev" / "labels.csv", newline="") as fh:
        rows = evenly(list(csv.DictReader(fh)), 60)
    hits = [bool(measure(face_only, eval_dir / "cew-closed-dev" / r["file"])[1].eyes_closed)
            for r in rows]
    assert np.mean(hits) >= CEW_RECALL_MIN, np.mean(hits)


def test_smile_model_on_photos_it_was_not_fitted_on(face_only, eval_dir) -> None:
    """The smile model was fitted on GENKI; Yale (grey, studio, other people) is unseen:
    happy vs normal, 30 photos, 100 % measured (one threshold: 93 %)."""
    with open(eval_dir / "yalefaces" / "labels.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["smile"] != ""]
    ok = [bool(measure(face_only, eval_dir / "yalefaces" / "png" / r["png_file"])[1].smiling)
          == (r["smile"] == "1") for r in rows]
    assert len(ok) >= 30 and np.mean(ok) >= 0.93, np.mean(ok)


@pytest.fixture(scope="module")
def accuracy():
    """benchmarks/accuracy.py as a module: the tests re-run its fitting."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        yield __import__("accuracy")
    finally:
        sys.path.pop(0)
        sys.modules.pop("accuracy", None)


@pytest.fixture(scope="module")
def genki600(face_only, eval_dir, accuracy):
    """600 evenly spaced GENKI dev photos and their observations."""
    items = accuracy.sample(accuracy.genki(eval_dir), 600)
    return items, [face_only.analyze(accuracy.load_rgb(it.path)) for it in items]


@pytest.mark.slow  # model fitting: behind the slow marker
def test_smile_model_fitting_generalises(genki600, accuracy) -> None:
    """The benchmark's fitting, re-run on 600 GENKI photos with 5-fold cross-validation:
    the model beats one threshold on photos held out of its fit (full dev set: 95.1 vs
    93.1 %; this subset measured 93.9 vs 92.6 %: the patch models need more photos than
    600 to add anything, 94.0 % without them)."""
    cv = accuracy.smile_cv(*accuracy.smile_xy(genki600), repeats=2, folds=5)
    assert cv["model"] >= 0.925 and cv["model"] >= cv["threshold"] + 0.005, cv


@pytest.mark.slow  # model fitting: behind the slow marker
def test_eye_model_fitting_generalises(face_only, eval_dir, genki600, accuracy) -> None:
    """The benchmark's eye-model fitting, re-run on all CEW faces and 600 GENKI photos,
    nested 5-fold: on photos held out of the whole fit it finds more shut eyes than the
    landmark rule does at the same false-closed rates (mean recall at 1-3 %: full dev
    set 95.0 vs 89.6 %, this subset 91.0 vs 87.1 %)."""
    items = accuracy.cew(eval_dir)
    cew = (items, [face_only.analyze(accuracy.load_rgb(it.path)) for it in items])
    cv = accuracy.eye_cv(*accuracy.eye_xy([cew, genki600], SETTINGS), folds=5)
    assert cv["false_closed"] <= 0.03 and cv["recall"] >= 0.88, cv
    assert cv["mean_recall_1_3pct"] >= cv["rule_mean_recall_1_3pct"] + 0.02, cv


def test_eye_model_on_photos_it_was_not_fitted_on(face_only, eval_dir) -> None:
    """Yale (grey studio photos of other people) was not fitted on: its 15 sleepy faces
    read closed (15 measured) and its open eyes rarely do (4 of 134 measured: two of them
    look shut to us, two are the broadest laughs, eyes squeezed to slits)."""
    with open(eval_dir / "yalefaces" / "labels.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["eyes"] in ("open", "closed_both")]
    closed = {"open": [], "closed_both": []}
    for r in rows:
        _, m = measure(face_only, eval_dir / "yalefaces" / "png" / r["png_file"])
        closed[r["eyes"]].append(bool(m.eyes_closed))
    assert len(closed["closed_both"]) == 15 and np.mean(closed["closed_both"]) >= 0.9
    assert len(closed["open"]) >= 130 and np.mean(closed["open"]) <= 0.05, sum(closed["open"])


def test_eye_patches_face_outward_on_both_eyes() -> None:
    """Both eyes' patches put the outer corner on the left (the left eye's is mirrored),
    y runs down the face, and eyes too small to see give None."""
    from coaching.eyes import PATCH_SIZE, eye_patches

    rgb = np.full((200, 300, 3), 200, np.uint8)
    px = np.zeros((478, 3))
    # An upright face: the sitter's right eye on the image left; 40 px eyes.
    px[g.RIGHT_EYE[0], :2], px[g.RIGHT_EYE[3], :2] = (60, 100), (100, 100)
    px[g.LEFT_EYE[3], :2], px[g.LEFT_EYE[0], :2] = (200, 100), (240, 100)
    for x in (62, 238):  # a dark mark just inside each outer corner, above the line
        cv2.circle(rgb, (x, 92), 4, (0, 0, 0), -1)
    patches = eye_patches(rgb, px)
    assert patches is not None and [p.shape for p in patches] == [PATCH_SIZE[::-1]] * 2
    for p in patches:
        ys, xs = np.unravel_index(np.argmin(p), p.shape)
        assert xs < PATCH_SIZE[0] / 2 and ys < PATCH_SIZE[1] / 2, (xs, ys)
    assert np.abs(patches[0].astype(int) - patches[1]).max() <= 2  # mirror images
    px[:, :2] *= 0.05  # 2 px eyes
    assert eye_patches(rgb, px) is None


def test_shipped_eye_model_and_a_broken_one(tmp_path) -> None:
    from coaching.eyes import FEATURES, N_FEATURES, load_eye_model
    from coaching.yamlconfig import ConfigError

    model = load_eye_model()
    assert model.features == FEATURES and len(model.weights) == N_FEATURES
    assert "CEW" in model.fitted and "GENKI" in model.fitted
    bad = tmp_path / "eye_model.yaml"
    bad.write_text(f"features: {FEATURES}\nbias: 0\ncombine: [1, 2, 3]\nweights: [1, 2]\n")
    with pytest.raises(ConfigError) as exc:
        load_eye_model(bad)
    assert str(exc.value).startswith(str(bad)) and "\n" not in str(exc.value)
    assert "weights" in str(exc.value)


def test_without_the_eye_model_the_rule_decides(face_only, eval_dir) -> None:
    """analysis.eye_model: false (or no pixels) = the closure rule alone: a man whose open
    eyes behind glasses the rule calls closed and the eye model, seeing them, open."""
    path = eval_dir / "genki4k-dev" / "files" / "file3691.jpg"
    obs, m = measure(face_only, path)
    off = compute_metrics(obs, load(path), SETTINGS.model_copy(update={"eye_model": False}))
    assert compute_metrics(obs, None, SETTINGS).eyes_closed == off.eyes_closed
    assert off.eyes_closed is True and m.eyes_closed is False


# Measured on these subsets: yaw MAE 2.65, roll 0.93, pitch (zero aligned) 4.53, smile
# 99.3 % (the smile model was fitted on GENKI: in-sample; 94.0 % with one threshold),
# GENKI false-closed 2.7 % (4.0 % with the closure rule alone, 7.3 % with one threshold),
# CEW recall 95.0 % (rule alone 91.7 %); the eye model was fitted on GENKI and CEW, so
# these two are in-sample. Floors a little beyond.
YAW_MAE_MAX = 3.2
ROLL_MAE_MAX = 1.2
PITCH_MAE_ALIGNED_MAX = 5.2
SMILE_ACC_MIN = 0.95
GENKI_FALSE_CLOSED_MAX = 0.045
CEW_RECALL_MIN = 0.9


def test_geometry_landmark_sets_are_consistent() -> None:
    assert len(set(g.RIGID_IDX.tolist())) == len(g.RIGID_IDX)
    assert g.RIGID_IDX.max() < 468


def test_shipped_smile_model_and_a_broken_one(tmp_path) -> None:
    from coaching.smile import FEATURES, load_smile_model
    from coaching.yamlconfig import ConfigError

    model = load_smile_model()
    assert model.features == list(FEATURES) and "GENKI" in model.fitted
    bad = tmp_path / "smile_model.yaml"
    bad.write_text("bias: 1\nfeatures: [jawOpen]\nweights: [1, 2]\n")
    with pytest.raises(ConfigError) as exc:
        load_smile_model(bad)
    assert str(exc.value).startswith(str(bad)) and "\n" not in str(exc.value)


def test_smile_model_without_a_patch_uses_its_missing_score() -> None:
    """A patch that cannot be cut (a face at the frame's edge) counts as the patch
    model's mean score on the fitting photos, not as 0."""
    from coaching.smile import BLENDSHAPES, EXTRA, PATCHES, load_smile_model

    model = load_smile_model()
    x = np.full(len(BLENDSHAPES) + len(EXTRA), 0.2)
    z = model.bias + float(np.dot(model.weights[:len(x)], x)) + sum(
        w * model.patches[k].missing for w, k in zip(model.weights[len(x):], PATCHES, strict=True))
    p = model.probability(x, {"mouth_patch": None, "eye_patch": None})
    assert p == pytest.approx(1 / (1 + math.exp(-z)))
    assert all(abs(model.patches[k].missing) > 1e-6 for k in PATCHES)


def test_shoulder_turn_zero_by_the_mirror_test(analyzer, media) -> None:
    """The calibrated shoulder turn is left/right symmetric: a frame and its mirror image
    read about +a and -a (uncalibrated, the pose model is ~7 deg off), and the square-on
    webcam sitter reads near 0 (measured +3.3..+5.3; +10..+12 uncalibrated)."""
    cap = cv2.VideoCapture(str(media / "single_face.mp4"))
    frames = []
    while len(frames) < 61:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    sums, turns = [], []
    for rgb in frames[0:61:15]:
        mirror = np.ascontiguousarray(rgb[:, ::-1])
        a = compute_metrics(analyzer.analyze(rgb), rgb, SETTINGS).shoulder_turn_deg
        b = compute_metrics(analyzer.analyze(mirror), mirror, SETTINGS).shoulder_turn_deg
        assert a is not None and b is not None
        sums.append((a + b) / 2)
        turns.append(a)
    assert abs(float(np.median(sums))) <= 3.0, sums
    assert abs(float(np.median(turns))) <= 7.0, turns
