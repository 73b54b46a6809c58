"""Prompt change -> audio start: how long the voice takes to follow the screen.

    python benchmarks/voice_latency.py [--language de] [--changes 40]

Builds the language's sample cache with espeak-ng (in a temporary folder, so the
first-start cost is printed too), then changes the prompt ``--changes`` times through
:meth:`kiosk.speaker.Speaker.tick`, as the kiosk loop does once a frame, and times each
from the tick that saw the new line to the mixer channel reporting it busy (the sample
handed to SDL's audio thread). Prints one JSON object with the median and worst in ms.
On SDL's dummy audio driver a real sound card's output buffer (~10-20 ms at 44.1 kHz
with pygame's default 512-sample buffer) comes on top.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from coaching.messages import load_catalogue  # noqa: E402 - after the SDL driver is chosen
from kiosk.speaker import Speaker  # noqa: E402
from kiosk.voice import choose_engine, spoken_texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--language", default="en")
    ap.add_argument("--changes", type=int, default=40)
    args = ap.parse_args()
    texts = spoken_texts(load_catalogue(args.language))
    with tempfile.TemporaryDirectory() as tmp:
        sp = Speaker(choose_engine, Path(tmp), repeat_s=60)
        cache = sp.cache(args.language)
        if cache is None:
            raise SystemExit(f"no voice for {args.language}")
        t0 = time.perf_counter()
        cache.build(texts, background=False)
        build_s = time.perf_counter() - t0
        lat = []
        for i in range(args.changes):
            text = texts[(i * 7) % len(texts)]
            if text == sp.current:
                continue
            start = time.perf_counter()
            sp.tick(float(i), args.language, text, coaching=True)
            while not sp._voice.get_busy():
                if time.perf_counter() - start > 1.0:
                    break
            lat.append((time.perf_counter() - start) * 1000)
        print(json.dumps({
            "language": args.language, "engine": cache.engine.id, "texts": len(texts),
            "cache_build_s": round(build_s, 2), "changes": len(lat),
            "prompt_to_audio_ms_median": round(statistics.median(lat), 2),
            "prompt_to_audio_ms_max": round(max(lat), 2),
            "first_sample_ms": round(lat[0], 2),
        }))


if __name__ == "__main__":
    main()
