"""The ingest health page: each followed source, its state and counts per day (:mod:`marsad.watch.health`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from marsad.model import SourceDay
from marsad.watch.health import health, summary


def sources(arc) -> dict[str, Any]:
    """Every source's health, the flagged ones first, each with a chart of its last days."""
    rows = []
    for h in health(arc, datetime.now(UTC)):
        row = summary(h)
        row["chart"] = days_svg(h.days)
        rows.append(row)
    rows.sort(key=lambda r: not r["flagged"])
    return {"sources": rows, "flagged": sum(r["flagged"] for r in rows)}


def days_svg(days: list[SourceDay], width: int = 140, height: int = 28) -> Markup:
    """Articles stored per day as small bars (oldest at the right, as Arabic reads), failures marked."""
    peak = max((d.stored for d in days), default=0) or 1
    slot = width / max(len(days), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="المخزّن يومياً">']
    for i, d in enumerate(days):
        x = width - slot * (i + 1)
        h = (height - 2) * d.stored / peak
        label = escape(f"{d.day}: {d.stored} خُزّن، {d.discovered} وُجد، {d.failed} فشل")
        cls = "bar failed" if d.failed else "bar"
        parts.append(f'<rect class="{cls}" x="{x + 1:.1f}" y="{height - h - 1:.1f}" '
                     f'width="{max(slot - 2, 1):.1f}" height="{max(h, 1):.1f}"><title>{label}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))
