"""Geometry of the server-drawn SVG figures: the city map and the statistics charts.

Plain numbers in, plain numbers out; the templates draw them.
"""

from dataclasses import dataclass

# The frame of the map: Pakistan's extent in degrees, with a margin.
MAP_BOUNDS = {"west": 60.5, "east": 77.5, "south": 23.5, "north": 37.5}
MAP_WIDTH, MAP_HEIGHT = 340, 280


def map_layout(places):
    """Positions on an equirectangular map for [(item, latitude, longitude)]."""
    b = MAP_BOUNDS
    x_scale = MAP_WIDTH / (b["east"] - b["west"])
    y_scale = MAP_HEIGHT / (b["north"] - b["south"])
    points = [
        {
            "item": item,
            "x": round((float(longitude) - b["west"]) * x_scale, 1),
            "y": round((b["north"] - float(latitude)) * y_scale, 1),
        }
        for item, latitude, longitude in places
    ]
    return {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "points": points,
        "meridians": [round((lon - b["west"]) * x_scale, 1) for lon in range(62, 78, 2)],
        "parallels": [round((b["north"] - lat) * y_scale, 1) for lat in range(24, 38, 2)],
    }


# The statistics charts. Sizes are in viewBox units. The chart is drawn at the full width of the
# text column and at most CHART_MAX_WIDTH pixels wide (the `.chart` rule in site.css), so on a
# phone 360 px wide, whose column is 328 px, one unit is a little more than one pixel and the
# text is drawn at least at FONT_SIZE pixels.
CHART_WIDTH = 320
CHART_MAX_WIDTH = 416
FONT_SIZE = 13
PAD = 2  # room left and right of everything drawn
LINE_HEIGHT = 17
BAR_HEIGHT = 18
ROW_GAP = 12
VALUE_GAP = 6  # between the end of a bar and its value
MIN_BAR_SHARE = 0.4  # bars keep at least this much of the width, or values move above them

# Widths of characters as a share of the font size: on the wide side of common sans-serif
# fonts (DejaVu Sans among them), so that an estimate is never shorter than the text drawn.
NARROW = set("ijlI.,:;'!|()[]ftr")
WIDE = set("mwMW%@—")


def rendered_font_size(content_width, *, width=CHART_WIDTH, font_size=FONT_SIZE):
    """The size in pixels the chart's text is drawn at in a column `content_width` pixels wide."""
    return font_size * min(content_width, CHART_MAX_WIDTH) / width


def text_width(text, font_size=FONT_SIZE, *, bold=False):
    """A generous estimate of how wide `text` is drawn at `font_size`."""
    total = 0.0
    for char in text:
        if char == " ":
            share = 0.34
        elif char in NARROW:
            share = 0.44
        elif char in WIDE:
            share = 1.02
        elif char.isupper():
            share = 0.8
        elif char.isascii() or char in "–‘’“”·":
            share = 0.66
        else:
            share = 1.2  # symbols such as ⚠
        total += share
    return total * font_size * (1.1 if bold else 1.0)


def wrap(text, width, font_size=FONT_SIZE, *, bold=False):
    """`text` broken into lines no wider than `width`, at spaces where it can be (never at a
    no-break space)."""

    def fits(candidate):
        return text_width(candidate, font_size, bold=bold) <= width

    lines, line = [], ""
    for word in text.split(" "):
        if not word:
            continue
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word longer than a whole line is broken where it must be
            if fits(line + char) or not line:
                line += char
            else:
                lines.append(line)
                line = char
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Point:
    """One figure to draw: the scope it covers (figures of different scopes never share a
    chart), where it sits in time (any sortable value, None when its period has no year), its
    value and the upper end of a range, and the texts of its period and value."""

    item: object
    scope: str
    when: object
    value: float
    upper: float | None
    label: str
    value_label: str


@dataclass
class TextLine:
    text: str
    y: float
    bold: bool = False


@dataclass
class Row:
    item: object
    lines: list
    bar_x: float
    bar_y: float
    bar_width: float
    bar_height: float
    axis_top: float = 0.0  # the zero line is drawn beside each bar, clear of the labels
    axis_bottom: float = 0.0
    range_x: float | None = None
    range_width: float | None = None
    value_text: str = ""
    value_x: float | None = None
    value_y: float | None = None


@dataclass
class Panel:
    """The figures of one scope: a chart along the time axis when at least two of them have a
    place on it (`chart`; those without one are `undated`), otherwise none (`chart` is None)
    and every figure is shown on its own."""

    scope: str
    points: list
    dated: list
    undated: list
    chart: dict | None


def panels(points):
    """The points grouped by scope, in the order the scopes first appear, each in time order."""
    groups = {}
    for point in points:
        groups.setdefault(point.scope, []).append(point)
    result = []
    for scope, group in groups.items():
        dated = sorted((p for p in group if p.when is not None), key=lambda p: p.when)
        undated = [p for p in group if p.when is None]
        chart = time_chart(dated) if len(dated) >= 2 else None
        result.append(Panel(scope, dated + undated, dated, undated, chart))
    return result


def _round(number):
    return round(number, 1)


def time_chart(points, *, width=CHART_WIDTH, font_size=FONT_SIZE):
    """Bars for points in time order, oldest at the top: each period's label on its own line(s)
    above its bar, the value at the end of the bar, a range as a band from its low to its high
    end. Where the values would leave the bars too little room, or a value is below zero, the
    value goes on a line of its own above the bar instead."""
    inner = width - 2 * PAD

    def top(point):
        return float(point.upper if point.upper is not None else point.value)

    low = min([0.0, *(float(p.value) for p in points)])
    high = max([0.0, *(top(p) for p in points)])
    span = high - low
    value_widths = [text_width(p.value_label, font_size, bold=True) for p in points]

    # `length` is how long a bar from the lowest to the highest value would be.
    values_at_ends, length = False, inner
    if low >= 0 and all(w + VALUE_GAP <= inner for w in value_widths):
        # Each value must fit after its own bar: the longest bar gets what every bar allows.
        allowed = [
            (inner - VALUE_GAP - w) * (high / top(p))
            for p, w in zip(points, value_widths, strict=True)
            if top(p) > 0
        ]
        end_length = min([inner, *allowed])
        if high == 0 or end_length >= MIN_BAR_SHARE * inner:
            values_at_ends, length = True, end_length
    zero = PAD + (-low / span * length if span > 0 else 0.0)

    def x(number):
        return zero + (float(number) / span * length if span > 0 else 0.0)

    rows, y = [], 0.0
    ascent = font_size  # the first baseline sits low enough for capitals and accents
    for point in points:
        texts = [TextLine(t, 0) for t in wrap(point.label, inner, font_size)]
        if not values_at_ends:
            texts += [
                TextLine(t, 0, True) for t in wrap(point.value_label, inner, font_size, bold=True)
            ]
        for n, line in enumerate(texts):
            line.y = _round(y + ascent + n * LINE_HEIGHT)
        y += len(texts) * LINE_HEIGHT + 4
        start, end = sorted((zero, x(point.value)))
        row = Row(
            item=point.item,
            lines=texts,
            bar_x=_round(start),
            bar_y=_round(y),
            bar_width=_round(end - start),
            bar_height=BAR_HEIGHT,
            axis_top=_round(y - 3),
            axis_bottom=_round(y + BAR_HEIGHT + 3),
        )
        if point.upper is not None:
            row.range_x = _round(x(point.value))
            row.range_width = _round(x(point.upper) - x(point.value))
        if values_at_ends:
            row.value_text = point.value_label
            row.value_x = _round(x(point.upper if point.upper is not None else point.value))
            row.value_x = _round(row.value_x + VALUE_GAP)
            row.value_y = _round(y + BAR_HEIGHT / 2 + font_size * 0.36)
        rows.append(row)
        y += BAR_HEIGHT + ROW_GAP
    height = y - ROW_GAP + 4
    return {
        "rows": rows,
        "width": width,
        "height": _round(height),
        "font_size": font_size,
        "pad": PAD,
        "zero": _round(zero),
        "values_at_ends": values_at_ends,
    }
