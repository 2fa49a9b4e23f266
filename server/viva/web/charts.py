"""Report charts as SVG, drawn on the server: scores per category, key points covered per question.

Each chart's title says its figures in words: the page gives it to the image as its alt text, so a
screen reader hears what a sighted reader sees, from the one place that counts them."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from viva.interview.models import Report
from viva.interview.report import whole

BAR = 22
GAP = 10
LABEL = 250
WIDTH = 640
NAME = 18  # the line that names a question, above its bar
COUNT = 120  # right of a bar: "4 of 5 covered"
INSET = 8  # keeps the names off the image's border


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label={quoteattr(title)} '
        f'font-family="system-ui, sans-serif" '
        f'font-size="13"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def categories_chart(report: Report) -> str:
    """One bar per category: the mean score of its questions, 0 to 100."""
    rows = report.categories
    height = max(1, len(rows)) * (BAR + GAP) + 30
    body = []
    span = WIDTH - LABEL - 60
    for i, row in enumerate(rows):
        y = 10 + i * (BAR + GAP)
        width = span * max(0.0, min(row.score, 100.0)) / 100
        body += [
            f'<text x="{LABEL - 8}" y="{y + 15}" text-anchor="end" fill="#1f2937">{escape(row.category)}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{span}" height="{BAR}" fill="#e5e7eb"/>',
            f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR}" fill="#2563eb"/>',
            f'<text x="{LABEL + span + 6}" y="{y + 15}" fill="#1f2937">{whole(row.score)}</text>',
        ]
    body.append(
        f'<text x="{LABEL}" y="{height - 6}" fill="#4b5563">score out of 100, mean per category</text>'
    )
    scores = "; ".join(f"{row.category} {whole(row.score)}/100" for row in rows) or "nothing graded yet"
    return _svg(height, f"Score per category: {scores}.", body)


def key_points_chart(report: Report) -> str:
    """One bar per question: its key points covered, partly covered and missed. Each question is named
    as the rest of the report names it ("Q35 What is ...?"), on a line of its own above its bar, as
    questions are too long for the label column the categories chart uses."""
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
    row = NAME + BAR + GAP
    height = max(1, len(questions)) * row + 34
    span = WIDTH - INSET - COUNT
    colours = {"covered": "#15803d", "partial": "#ca8a04", "missed": "#b91c1c"}
    body = []
    for i, (question, counts) in enumerate(questions.items()):
        y = 10 + i * row + NAME
        total = sum(counts.values()) or 1
        x = float(INSET)
        body.append(f'<text x="{INSET}" y="{y - 5}" fill="#1f2937">{escape(question)}</text>')
        for status in ("covered", "partial", "missed"):
            width = span * counts[status] / total
            if width:
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colours[status]}">'
                    f"<title>{counts[status]} {status}</title></rect>"
                )
            x += width
        body.append(
            f'<text x="{INSET + span + 6}" y="{y + 15}" fill="#1f2937">{counts["covered"]} of {total} covered</text>'
        )
    legend_y = height - 8
    body += [
        f'<rect x="{INSET}" y="{legend_y - 10}" width="10" height="10" fill="{colours["covered"]}"/>',
        f'<text x="{INSET + 14}" y="{legend_y}" fill="#1f2937">covered</text>',
        f'<rect x="{INSET + 80}" y="{legend_y - 10}" width="10" height="10" fill="{colours["partial"]}"/>',
        f'<text x="{INSET + 94}" y="{legend_y}" fill="#1f2937">partly</text>',
        f'<rect x="{INSET + 150}" y="{legend_y - 10}" width="10" height="10" fill="{colours["missed"]}"/>',
        f'<text x="{INSET + 164}" y="{legend_y}" fill="#1f2937">missed</text>',
    ]
    return _svg(height, f"Key points per question: {tally or 'nothing graded yet'}.", body)
