"""Server-drawn bar charts: geometry only, drawn as SVG by the template (no JS library;
each chart is also shown as a table)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 600, 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    series: int = 0
    """Which of the chart's series (0: the first): its colour and legend entry."""


def bars(points: list[tuple[str, float]]) -> list[Bar]:
    """One bar per point, scaled so the tallest fills the chart."""
    return grouped([(label, (value,)) for label, value in points])


def grouped(points: list[tuple[str, tuple[float, ...]]]) -> list[Bar]:
    """Side by side, one bar per series in each point's slot, on one scale (the tallest
    fills the chart)."""
    if not points:
        return []
    top = max((value for _, values in points for value in values), default=0.0) or 1.0
    slot = WIDTH / len(points)
    drawn = []
    for index, (label, values) in enumerate(points):
        width = slot * 0.8 / len(values)
        for series, value in enumerate(values):
            height = HEIGHT * value / top
            x = index * slot + slot * 0.1 + series * width
            drawn.append(Bar(label, value, x, HEIGHT - height, width, height, series))
    return drawn


@dataclass(frozen=True)
class Cell:
    label: str
    value: int
    x: float
    y: float
    shade: float
    """0 (none) to 1 (the busiest hour): the cell's fill opacity."""


CELL = 22  # px: one hour of the week
LEFT, TOP = 40, 16  # room for the weekday and hour labels


def heatmap(grid: list[list[int]], days: tuple[str, ...]) -> list[Cell]:
    """One cell per weekday and hour, shaded by how busy it is."""
    top = max((value for row in grid for value in row), default=0) or 1
    return [
        Cell(f"{days[d]} {h:02d}:00", value, LEFT + h * CELL, TOP + d * CELL, value / top)
        for d, row in enumerate(grid)
        for h, value in enumerate(row)
    ]
