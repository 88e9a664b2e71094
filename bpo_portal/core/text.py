"""Text cut to a length without cutting a word in two."""

ELLIPSIS = "…"


def shorten(text, limit):
    """`text` whole if it fits in `limit` characters, else cut at the last word boundary before
    the limit, with an ellipsis (a single word longer than the limit is cut inside it)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS) + 1]
    cut = room.rfind(" ")
    kept = room[:cut] if cut > 0 else room[:-1]
    return kept.rstrip(" ,;:.–—-") + ELLIPSIS
