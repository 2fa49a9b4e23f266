"""Report charts as SVG, drawn on the server: scores per category, key points covered per question.

Each chart's title says its figures in words: the page gives it to the image as its alt text, so a
screen reader hears what a sighted reader sees, from the one place that counts them."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape, quoteattr

from viva.interview.models import Report
from viva.interview.report import whole

BAR = 22
GAP = 10
LABEL = 250  # the column of category names beside their bars, on a chart wide enough for it
WIDTH = 640
"""The widest a chart is drawn, in CSS pixels. The page asks for the width it shows a chart at: drawn
640 wide and shrunk onto a 375-pixel phone, its 13-pixel text was read at 7."""
NARROWEST = 320
NAME = 18  # a line of a name above its bar
COUNT = 120  # right of a bar: "4 of 5 covered"
SCORE = 40  # right of a bar: "100"
INSET = 8  # keeps the names off the image's border
GLYPH = 7.5  # a 13-pixel glyph's mean width, generously: where a long name wraps


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label={quoteattr(title)} '
        f'font-family="system-ui, sans-serif" '
        f'font-size="13"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _name_lines(name: str, width: int) -> list[str]:
    """A name above its bar, in as many lines as the chart's width needs."""
    return textwrap.wrap(name, int((width - 2 * INSET) / GLYPH)) or [""]


def _named(lines: list[str], y: int) -> list[str]:
    """The lines of a name, the last one just above `y` (its bar's top)."""
    top = y - NAME * (len(lines) - 1) - 5
    return [
        f'<text x="{INSET}" y="{top + NAME * i}" fill="#1f2937">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]


def categories_chart(report: Report, width: int = WIDTH) -> str:
    """One bar per category: the mean score of its questions, 0 to 100. The names stand beside the bars
    where the chart is wide enough, above them where it is not."""
    rows = report.categories
    # Beside their bars only where the bars keep half the width and every name fits its column.
    beside = width >= 2 * LABEL and all(len(row.category) * GLYPH <= LABEL - 8 - INSET for row in rows)
    left = LABEL if beside else INSET
    span = width - left - SCORE
    body = []
    y = 10
    for row in rows:
        if beside:
            body.append(
                f'<text x="{LABEL - 8}" y="{y + 15}" text-anchor="end" fill="#1f2937">{escape(row.category)}</text>'
            )
        else:
            lines = _name_lines(row.category, width)
            y += NAME * len(lines)
            body += _named(lines, y)
        filled = span * max(0.0, min(row.score, 100.0)) / 100
        body += [
            f'<rect x="{left}" y="{y}" width="{span}" height="{BAR}" fill="#e5e7eb"/>',
            f'<rect x="{left}" y="{y}" width="{filled:.1f}" height="{BAR}" fill="#2563eb"/>',
            f'<text x="{left + span + 6}" y="{y + 15}" fill="#1f2937">{whole(row.score)}</text>',
        ]
        y += BAR + GAP
    height = max(y, 10 + BAR + GAP) + 20
    body.append(
        f'<text x="{left}" y="{height - 6}" fill="#4b5563">score out of 100, mean per category</text>'
    )
    scores = "; ".join(f"{row.category} {whole(row.score)}/100" for row in rows) or "nothing graded yet"
    return _svg(width, height, f"Score per category: {scores}.", body)


def key_points_chart(report: Report, width: int = WIDTH) -> str:
    """One bar per question: its key points covered, partly covered and missed. Each question is named
    as the rest of the report names it ("Q35 What is ...?"), above its bar (in more than one line where
    the chart is narrow), as questions are too long for the label column the categories chart uses."""
    questions: dict[str, dict[str, int]] = {}
    for point in report.key_points:
        counts = questions.setdefault(
            f"Q{point.number} {point.question_text}", {"covered": 0, "partial": 0, "missed": 0}
        )
        counts[point.status] = counts.get(point.status, 0) + 1
    tally = "; ".join(
        f"{question}: {n['covered']} covered, {n['partial']} partly, {n['missed']} missed"
        for question, n in questions.items()
    )
    span = width - INSET - COUNT
    colours = {"covered": "#15803d", "partial": "#ca8a04", "missed": "#b91c1c"}
    body = []
    y = 10
    for question, counts in questions.items():
        lines = _name_lines(question, width)
        y += NAME * len(lines)
        body += _named(lines, y)
        total = sum(counts.values()) or 1
        x = float(INSET)
        for status in ("covered", "partial", "missed"):
            filled = span * counts[status] / total
            if filled:
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{filled:.1f}" height="{BAR}" fill="{colours[status]}">'
                    f"<title>{counts[status]} {status}</title></rect>"
                )
            x += filled
        body.append(
            f'<text x="{INSET + span + 6}" y="{y + 15}" fill="#1f2937">{counts["covered"]} of {total} covered</text>'
        )
        y += BAR + GAP
    height = max(y, 10 + NAME + BAR + GAP) + 24
    legend_y = height - 8
    body += [
        f'<rect x="{INSET}" y="{legend_y - 10}" width="10" height="10" fill="{colours["covered"]}"/>',
        f'<text x="{INSET + 14}" y="{legend_y}" fill="#1f2937">covered</text>',
        f'<rect x="{INSET + 80}" y="{legend_y - 10}" width="10" height="10" fill="{colours["partial"]}"/>',
        f'<text x="{INSET + 94}" y="{legend_y}" fill="#1f2937">partly</text>',
        f'<rect x="{INSET + 150}" y="{legend_y - 10}" width="10" height="10" fill="{colours["missed"]}"/>',
        f'<text x="{INSET + 164}" y="{legend_y}" fill="#1f2937">missed</text>',
    ]
    return _svg(width, height, f"Key points per question: {tally or 'nothing graded yet'}.", body)
