"""Timing for the linearity tests: the best of a few runs with the garbage collector paused, so a
collection that happens to fall into one run does not decide a ratio (test_performance.py)."""

from __future__ import annotations

import contextlib
import gc
import time


def best_seconds(call, *args, rounds: int = 2, ignore: tuple[type[BaseException], ...] = ()):
    """The shortest of ``rounds`` runs of ``call(*args)``; exceptions in ``ignore`` (an expected
    refusal) end a run without failing it."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            with contextlib.suppress(*ignore):
                call(*args)
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best
