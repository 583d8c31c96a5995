"""Foundings per month as a bar chart drawn on the server: geometry for an inline SVG.

No JavaScript and no library: the template draws rectangles from these numbers, the chart scales
with its ``viewBox``, and a table beside it carries the same data for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 46


@dataclass(frozen=True)
class Bar:
    year: int
    month: int
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class YearMark:
    year: int
    x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    years: list[YearMark]
    baseline: float
    left: int
    right: float

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bars)


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    year, month = first
    out = []
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _tick_step(top: int) -> int:
    """A round step giving at most five gridlines up to ``top``."""
    raw = max(1, math.ceil(top / 5))
    magnitude = 10 ** (len(str(raw)) - 1)
    for step in (1, 2, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return raw  # pragma: no cover


def monthly_chart(months: list[tuple[int, int, int]]) -> Chart | None:
    """The chart for ``[(year, month, count), …]``; months without foundings in between are
    drawn as empty slots so that time runs evenly. None when there is nothing to draw."""
    if not months:
        return None
    counts = {(y, m): n for y, m, n in months}
    slots = _months_between(min(counts), max(counts))
    step = _tick_step(max(counts.values()))
    top = step * math.ceil(max(counts.values()) / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot_w = plot_w / len(slots)
    bar_w = max(slot_w * 0.7, 1.0)
    baseline = TOP + plot_h
    bars = []
    years = []
    for i, (year, month) in enumerate(slots):
        n = counts.get((year, month), 0)
        h = plot_h * n / top
        x = LEFT + i * slot_w + (slot_w - bar_w) / 2
        bars.append(
            Bar(year, month, n, round(x, 1), round(baseline - h, 1), round(bar_w, 1), round(h, 1))
        )
        if i == 0 or month == 1:
            years.append(YearMark(year, round(LEFT + i * slot_w, 1)))
    ticks = [Tick(v, round(baseline - plot_h * v / top, 1)) for v in range(0, top + 1, step)]
    return Chart(WIDTH, HEIGHT, bars, ticks, years, baseline, LEFT, WIDTH - RIGHT)
