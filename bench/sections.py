"""docs/reliability.md is written by several tools: each replaces only its own section."""

from pathlib import Path


def replace_section(target: Path, heading: str, lines: list[str]) -> None:
    """Put `lines` (starting with `heading`, a "## " line) in place of the section of that
    heading, which runs to the next "## " heading; a section not there yet goes at the end."""
    old = target.read_text().splitlines() if target.exists() else []
    new = [line.rstrip("\n") for line in lines]
    while new and not new[-1]:
        new.pop()
    if heading in old:
        start = old.index(heading)
        end = next((n for n in range(start + 1, len(old)) if old[n].startswith("## ")), len(old))
        tail = old[end:]
        text = old[:start] + new + ([""] if tail else []) + tail
    else:
        while old and not old[-1]:
            old.pop()
        text = old + ([""] if old else []) + new
    target.write_text("\n".join(text) + "\n")
