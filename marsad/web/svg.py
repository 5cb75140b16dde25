"""A small server-side SVG bar chart of counts per month (articles) or per day (an alert's matches)."""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import escape

from marsad.web.text import MONTHS_AR


def fill_months(points: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Sorted (YYYY-MM, n) with the missing months between the first and last set to zero."""
    counts = {ym[:7]: n for ym, n in points}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while True:
        ym = f"{year:04d}-{month:02d}"
        out.append((ym, counts.get(ym, 0)))
        if ym >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def fill_days(points: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Sorted (YYYY-MM-DD, n) with the missing days between the first and last set to zero."""
    counts = dict(points)
    if not counts:
        return []
    day, last = date.fromisoformat(min(counts)), date.fromisoformat(max(counts))
    out = []
    while day <= last:
        out.append((day.isoformat(), counts.get(day.isoformat(), 0)))
        day += timedelta(days=1)
    return out


def timeline_svg(points: list[tuple[str, int]], width: int = 640, height: int = 220,
                 title: str = "عدد المقالات شهرياً") -> str:
    """Render (YYYY-MM, count) points, or (YYYY-MM-DD, count) ones, as an accessible SVG bar chart,
    months (days) running right to left."""
    daily = bool(points) and len(points[0][0]) == 10
    months = fill_days(points) if daily else fill_months(points)
    top, bottom, side = 24, 40, 36
    inner_w, inner_h = width - 2 * side, height - top - bottom
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    if not months:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">لا بيانات</text></svg>')
        return "".join(parts)
    peak = max(n for _, n in months) or 1
    slot = inner_w / len(months)
    bar = max(min(slot * 0.7, 48), 1)
    base = top + inner_h
    parts.append(f'<line class="axis" x1="{side}" y1="{base}" x2="{width - side}" y2="{base}"/>')
    parts.append(f'<line class="grid" x1="{side}" y1="{top}" x2="{width - side}" y2="{top}"/>')
    parts.append(f'<text class="tick" x="{width - side + 4}" y="{top + 4}" text-anchor="start">{peak}</text>')
    label_every = max(1, -(-len(months) // 12))
    for i, (ym, n) in enumerate(months):
        # Right-to-left: the first month sits at the right edge.
        cx = width - side - slot * (i + 0.5)
        h = inner_h * n / peak
        name, year = MONTHS_AR[int(ym[5:7]) - 1], ym[:4]
        if daily:
            name = f"{int(ym[8:])} {name}"
        parts.append(f'<rect class="bar" x="{cx - bar / 2:.1f}" y="{base - h:.1f}" width="{bar:.1f}" '
                     f'height="{h:.1f}"><title>{name} {year}: {n}</title></rect>')
        if i % label_every == 0:
            parts.append(_label(cx, base + 16, "tick", name))
        if i == 0 or ym.endswith("-01" if not daily else "-01-01"):
            parts.append(_label(cx, base + 32, "tick year", year))
    parts.append("</svg>")
    return "".join(parts)


def _label(x: float, y: float, cls: str, text: str) -> str:
    return f'<text class="{cls}" x="{x:.1f}" y="{y}" text-anchor="middle">{escape(text)}</text>'
