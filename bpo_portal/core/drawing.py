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


CHART_WIDTH = 640
LABEL_WIDTH = 230
BAR_HEIGHT = 26


@dataclass
class Bar:
    item: object
    y: int
    width: float
    upper_width: float | None


def bar_chart(figures):
    """Horizontal bars for [(item, value, upper value or None)], in the order given."""
    top = max(float(upper or value) for _, value, upper in figures) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 90) / top
    bars = [
        Bar(
            item=item,
            y=index * BAR_HEIGHT,
            width=round(float(value) * scale, 1),
            upper_width=round(float(upper) * scale, 1) if upper else None,
        )
        for index, (item, value, upper) in enumerate(figures)
    ]
    return {
        "bars": bars,
        "height": len(bars) * BAR_HEIGHT,
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
    }
