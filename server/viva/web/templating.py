"""Jinja2 for the pages: autoescaping on, the package's own templates, one environment."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from viva import __version__
from viva.grading.models import Evidence
from viva.interview.coaching import critique_moved
from viva.interview.report import whole
from viva.resources import resource_dir

templates = Jinja2Templates(directory=resource_dir("web") / "templates")
templates.env.autoescape = True
templates.env.globals["version"] = __version__
templates.env.filters["whole"] = whole
templates.env.globals["critique_moved"] = critique_moved


def highlight(text: str, spans: list[Evidence]) -> list[tuple[str, bool]]:
    """The answer cut into (piece, is_evidence) pieces, so a template can mark the candidate's own words."""
    marks = sorted((s.start, s.end) for s in spans if 0 <= s.start < s.end <= len(text))
    merged: list[list[int]] = []
    for start, end in marks:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in merged:
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


templates.env.globals["highlight"] = highlight
