"""Chart geometry for server-rendered SVG: the templates draw what these compute.

No JavaScript and no inline styles (the CSP forbids them): shapes carry classes that
static/css/app.css colours. Coordinates are in the SVG's own viewBox units.
"""

import math
from dataclasses import dataclass, field

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 40
SERIES_CLASSES = 8  # .series-0 … .series-7 in the stylesheet


def nice_ceiling(value, ticks=4):
    """A round upper bound and step for an axis from 0 to `value`: 0–40 by 10, …"""
    if value <= 0:
        return 1, 1
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, round(step)) if step >= 1 else step
    return math.ceil(value / step) * step, step


def _round(number):
    return round(number, 1)


def _fmt(number):
    return f"{number:.1f}".rstrip("0").rstrip(".")


@dataclass
class Tick:
    position: float
    label: str
    anchor: str = "middle"  # SVG text-anchor; "end" keeps the last label inside

    def __post_init__(self):
        self.position = _round(self.position)


@dataclass
class Point:
    x: float
    y: float
    label: str
    partial: bool = False

    def __post_init__(self):
        self.x, self.y = _round(self.x), _round(self.y)


@dataclass
class Line:
    css: str
    name: str
    points: list[Point]

    @property
    def polyline(self):
        return " ".join(f"{_fmt(p.x)},{_fmt(p.y)}" for p in self.points)


@dataclass
class Chart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    areas: list[tuple[str, str]] = field(default_factory=list)  # (css class, path d)
    points: list[Point] = field(default_factory=list)
    partial_from: float | None = None  # x where the unfinished period begins

    @property
    def y_label_x(self):
        return self.plot_left - 8

    @property
    def x_label_y(self):
        return self.plot_bottom + 20

    @property
    def has_partial(self):
        return any(point.partial for point in self.points)

    @property
    def partial_segment(self):
        """The last two points, joined by a dashed line for the unfinished period."""
        return self.points[-2:] if self.partial_from is not None else []


def _frame(height):
    return Chart(
        width=WIDTH,
        height=height,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=height - BOTTOM,
    )


def _y_axis(chart, top_value):
    y_max, step = nice_ceiling(top_value)
    plot_height = chart.plot_bottom - chart.plot_top

    def y(value):
        return chart.plot_bottom - plot_height * value / y_max

    value = 0
    while value <= y_max + 1e-9:
        chart.y_ticks.append(Tick(y(value), f"{value:,.0f}" if step >= 1 else _fmt(value)))
        value += step
    return y


def _x_positions(chart, count):
    if count == 1:
        return [(chart.plot_left + chart.plot_right) / 2]
    span = (chart.plot_right - chart.plot_left) / (count - 1)
    return [chart.plot_left + i * span for i in range(count)]


def _label_every(count, room=8):
    return max(1, math.ceil(count / room))


def growth_chart(growth, height=300):
    """Cumulative signatories: organisations and individuals stacked, a point per
    period on the total, the unfinished period drawn apart."""
    chart = _frame(height)
    points = growth.points
    if not points:
        return chart
    y = _y_axis(chart, max(p.cumulative for p in points))
    xs = _x_positions(chart, len(points))
    fmt = _tick_format(growth.by, spans_years=points[0].period.year != points[-1].period.year)
    every = _label_every(len(points))
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        if i % every == 0:
            near_end = len(points) > 1 and x > chart.plot_right - 40
            chart.x_ticks.append(Tick(x, p.period.strftime(fmt), "end" if near_end else "middle"))
    base = f"{_fmt(xs[-1])},{_fmt(chart.plot_bottom)} {_fmt(xs[0])},{_fmt(chart.plot_bottom)}"
    organisations = " ".join(
        f"{_fmt(x)},{_fmt(y(p.organisations))}" for x, p in zip(xs, points, strict=True)
    )
    totals = " ".join(f"{_fmt(x)},{_fmt(y(p.cumulative))}" for x, p in zip(xs, points, strict=True))
    back = " ".join(
        f"{_fmt(x)},{_fmt(y(p.organisations))}"
        for x, p in reversed(list(zip(xs, points, strict=True)))
    )
    chart.areas = [
        ("area-organisations", f"M{organisations} L{base} Z"),
        ("area-individuals", f"M{totals} L{back} Z"),
    ]
    chart.points = [
        Point(x, y(p.cumulative), f"{_period_label(p, growth.by)}: {p.cumulative:,}", p.partial)
        for x, p in zip(xs, points, strict=True)
    ]
    chart.lines = [Line("line-total", "All signatories", chart.points)]
    if points[-1].partial and len(points) > 1:
        chart.partial_from = xs[-2]
    return chart


def _tick_format(by, *, spans_years):
    """Axis labels; the year joins them when the series runs over more than one year."""
    if by == "month":
        return "%b %Y"
    day = "%-d %b %Y" if spans_years else "%-d %b"
    return f"w/c {day}" if by == "week" else day


def _period_label(point, by):
    if by == "month":
        return f"{point.period:%B %Y}"
    if by == "week":
        return f"week of {point.period:%-d %b %Y}"
    return f"{point.period:%a %-d %b %Y}"


def comparison_chart(summaries, height=300):
    """One line per ask: cumulative signatories by days since launch."""
    chart = _frame(height)
    curves = [s for s in summaries if s.curve]
    if not curves:
        return chart
    max_day = max(max(day for day, _ in s.curve) for s in curves) or 1
    y = _y_axis(chart, max(s.curve[-1][1] for s in curves))
    width = chart.plot_right - chart.plot_left

    def x(day):
        return chart.plot_left + width * day / max_day

    x_max, x_step = nice_ceiling(max_day, ticks=6)
    day = 0
    while day <= max_day:
        anchor = "end" if day and x(day) > chart.plot_right - 40 else "middle"
        chart.x_ticks.append(Tick(x(day), f"day {day:,.0f}", anchor))
        day += x_step
    for index, summary in enumerate(curves):
        stepped = []
        previous = 0
        for day, cumulative in summary.curve:
            stepped.append(Point(x(day), y(previous), ""))
            stepped.append(Point(x(day), y(cumulative), f"day {day}: {cumulative:,}"))
            previous = cumulative
        chart.lines.append(Line(f"series-{index % SERIES_CLASSES}", summary.ask.title, stepped))
    return chart


@dataclass
class Bar:
    label: str
    value: float
    display: str
    y: float
    width: float
    css: str = ""
    value_x: float = 0


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def bar_chart(rows, *, width=WIDTH, label_width=180, bar_height=22, gap=8, value_label=None):
    """Horizontal bars for (label, value) rows, longest = full width."""
    value_label = value_label or (lambda v: f"{v:,}")
    top = max((value for _, value in rows), default=0) or 1
    room = width - label_width - 60
    bars = [
        Bar(
            label=label if len(label) <= 28 else label[:27] + "…",
            value=value,
            display=value_label(value),
            y=i * (bar_height + gap),
            width=_round(max(1, room * value / top)) if value else 0,
            css=f"series-{i % SERIES_CLASSES}",
            value_x=_round(label_width + (room * value / top if value else 0) + 6),
        )
        for i, (label, value) in enumerate(rows)
    ]
    height = max(1, len(rows)) * (bar_height + gap)
    return BarChart(width, height, label_width, bar_height, bars)


@dataclass
class Column:
    label: str
    value: int
    x: float
    y: float
    height: float
    partial: bool
    center: float = 0

    @property
    def value_y(self):
        return self.y - 5


@dataclass
class ColumnChart:
    width: int
    height: int
    baseline: float
    column_width: float
    columns: list[Column]
    y_ticks: list[Tick]
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT

    @property
    def y_label_x(self):
        return self.plot_left - 8

    @property
    def x_label_y(self):
        return self.baseline + 20


def column_chart(rows, *, height=220, width=WIDTH):
    """Vertical columns for (label, value, partial) rows: new signatories per day."""
    chart = Chart(width, height, LEFT, width - RIGHT, TOP, height - BOTTOM)
    y = _y_axis(chart, max((value for _, value, _ in rows), default=0))
    slot = (chart.plot_right - chart.plot_left) / max(1, len(rows))
    columns = [
        Column(
            label=label,
            value=value,
            x=_round(chart.plot_left + i * slot + slot * 0.15),
            y=_round(y(value)),
            height=_round(chart.plot_bottom - y(value)),
            partial=partial,
            center=_round(chart.plot_left + (i + 0.5) * slot),
        )
        for i, (label, value, partial) in enumerate(rows)
    ]
    return ColumnChart(
        width,
        height,
        chart.plot_bottom,
        _round(slot * 0.7),
        columns,
        chart.y_ticks,
        chart.plot_left,
        chart.plot_right,
    )
