"""Counting the work a call does, for the tests that say a reader is linear in its input: no
clock, so a loaded machine gives the same count as a quiet one, and a quadratic loop still shows
as sixteen times the work for four times the input (the project's rule: no timed tests; speed is
for the bench/ scripts).

``steps`` counts the lines of Python the call runs (every frame, or those of the given folders),
which catches any loop over the input inside a loop over the input. Work done inside one C call
(a copy of a growing string, a regex backtracking) is no line: the tests of those count what is
handed to that call instead (``chars_through``, ``regex_chars``).
"""

from __future__ import annotations

import gc
import importlib.util
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path


def folder(package: str) -> str:
    """The folder of a top-level package (found, not imported): the lines worth counting for
    its code, as ``steps(..., within=(folder("importer"),))``."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations, package
    return str(Path(next(iter(spec.submodule_search_locations))).resolve())


#: The folder of the sources package: the lines worth counting for its parsers.
SOURCES = folder("sources")


class TooMuchWork(Exception):
    """Raised inside the call once it has run more lines than its ``limit``."""


def steps(
    call: Callable, *args, within: tuple[str, ...] = (), limit: int | None = None, **kwargs
) -> int:
    """How many lines of Python ``call(*args, **kwargs)`` runs: in files under the folders
    ``within``, or everywhere (this module's own lines excepted). Past ``limit`` lines the call
    is stopped by :class:`TooMuchWork` (an exponential search need not run to its end)."""
    count = 0
    here = __file__

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
            if limit is not None and count > limit:
                raise TooMuchWork(f"more than {limit} lines")
        return local

    def enter(frame, event, arg):
        name = frame.f_code.co_filename
        if name == here or (within and not name.startswith(within)):
            return None
        return local

    # No cyclic collection meanwhile: the finalisers it may run at any line (an earlier test's
    # objects) would be counted as the call's work.
    collecting = gc.isenabled()
    gc.disable()
    previous = sys.gettrace()
    sys.settrace(enter)
    try:
        call(*args, **kwargs)
    finally:
        sys.settrace(previous)
        if collecting:
            gc.enable()
    return count


def ratio(call: Callable, small, large, **kwargs) -> float:
    """The steps of ``call(large)`` over those of ``call(small)``."""
    return steps(call, large, **kwargs) / steps(call, small, **kwargs)


class Meter:
    """Characters counted, from 0 again after ``reset``; ``longest``, the longest string handed
    in one call."""

    def __init__(self) -> None:
        self.chars = 0
        self.longest = 0
        self.depth = threading.local()

    def reset(self) -> Meter:
        self.chars = 0
        self.longest = 0
        return self

    def handed(self, value) -> None:
        """Counts a string's characters, or those of the strings in a tuple or list."""
        if not getattr(self.depth, "n", 1):
            return
        if isinstance(value, str):
            self.chars += len(value)
            self.longest = max(self.longest, len(value))
        elif isinstance(value, (tuple, list)):
            lengths = [len(v) for v in value if isinstance(v, str)]
            self.chars += sum(lengths)
            self.longest = max(self.longest, *lengths, 0)


def chars_through(monkeypatch, module, name: str) -> Meter:
    """``module.name`` (a function or class taking strings) wrapped, for the rest of the test, so
    that the characters of the strings it is handed (alone, or in a tuple or list) are counted:
    a copy costs what it copies, a block rebuilt at each line what it holds."""
    meter = Meter()
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            meter.handed(value)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return meter


class _CountingPattern:
    """A compiled pattern that counts the characters it is asked to read, while ``active``."""

    def __init__(self, pattern: re.Pattern, meter: Meter) -> None:
        self._pattern, self._meter = pattern, meter

    def __getattr__(self, name):
        attribute = getattr(self._pattern, name)
        if not callable(attribute) or name not in _READING:
            return attribute

        def read(*args, **kwargs):
            self._meter.handed(args[1] if name in ("sub", "subn") else args[0])
            return attribute(*args, **kwargs)

        return read


# The pattern methods that read a string (sub and subn take it second).
_READING = {"search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn"}


def regex_chars(monkeypatch, modules, within=None) -> Meter:
    """For the rest of the test, the characters the regexes of ``modules`` (their compiled
    patterns, and ``re`` as they call it) are handed while ``within`` (a (module, function name)
    pair) runs, or at any time without it: a regex that only sees a bounded tail of the text
    cannot backtrack over a long run of it."""
    meter = Meter()
    if within is None:
        for module in modules:
            _count_regexes(monkeypatch, module, meter)
        return meter
    meter.depth.n = 0
    for module in modules:
        _count_regexes(monkeypatch, module, meter)
    owner, name = within
    original = getattr(owner, name)

    def measured(*args, **kwargs):
        meter.depth.n = getattr(meter.depth, "n", 0) + 1
        try:
            return original(*args, **kwargs)
        finally:
            meter.depth.n -= 1

    monkeypatch.setattr(owner, name, measured)
    return meter


def _count_regexes(monkeypatch, module, meter: Meter) -> None:
    for name, value in list(vars(module).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(module, name, _CountingPattern(value, meter))
    if getattr(module, "re", None) is re:
        monkeypatch.setattr(module, "re", _CountingRe(meter))


class _CountingRe:
    """The ``re`` module, its reading functions counted (``re.search(pattern, text)``)."""

    def __init__(self, meter: Meter) -> None:
        self._meter = meter

    def __getattr__(self, name):
        attribute = getattr(re, name)
        if name not in _READING:
            return attribute

        def read(*args, **kwargs):
            self._meter.handed(args[2] if name in ("sub", "subn") else args[1])
            return attribute(*args, **kwargs)

        return read
