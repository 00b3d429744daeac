"""The CMO's one-page report: a self-contained HTML page (inline CSS and SVG, no scripts, no
external resources), rendered to PNG and PDF with headless Chromium.

Sections (each an `<h2>`): Headline KPIs (value, plan, attainment, change and a 12-month
sparkline), Alerts (every off-track plan metric of the month, whole business and channels,
worst first by relative miss), Funnel (ad spend -> sessions -> leads -> qualified -> deals ->
won -> new customers), Channel economics (CPL, CAC, ROMI to date), MRR bridge, Cohort
retention (acquisition month = the customer's first month with MRR > 0 in
`marts.fct_mrr_monthly`, x months since; share of the cohort with MRR > 0), Sales reps
(performance index).

The page has a fixed layout: every section's height is computed here from its row counts
(fixed row heights, no wrapping), so the screenshot's window height and the PDF's single page
size are known before Chromium runs (no measuring, no JavaScript). The height is written into
the page as `<meta name="fullfunnel:page-height">`.

Chromium: `$FULLFUNNEL_CHROMIUM`, else `chromium` on PATH, else `/usr/bin/chromium`. When it
is missing or fails, the HTML is still written and the outcome says PNG/PDF were skipped.
Each rendering (PNG, then PDF) runs Chromium in its own process group with a fresh profile and
no D-Bus; an attempt that does not finish within `RENDER_ATTEMPT_SECONDS` is killed with all
its child processes and retried, up to `RENDER_ATTEMPTS` times (a headless Chromium that hangs
on its first start on a fresh machine was seen in CI: the next start rendered in seconds).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from markupsafe import Markup, escape

from fullfunnel.contract import load_kpis


class Snapshot(Protocol):
    """What the report reads of a `fullfunnel.snapshot.Snapshot` (it renders, never queries)."""

    month: date
    month_label: str
    reporting_currency: str
    tables: dict[str, Any]
    alerts: list[dict[str, Any]]
    build: dict[str, Any]
    report: dict[str, Any]
    latest_event_at: Any
    has_plan: bool
    is_complete_month: bool


PAGE_WIDTH = 1400
RENDER_ATTEMPT_SECONDS = 40
RENDER_ATTEMPTS = 3
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)

# The KPI list (contract/metrics.yml): labels, formats, which way is good, the KPI cards
_KPIS = load_kpis()
# KPI cards, in this order (those the mart has); whole-business plan metrics are added after
HEADLINE_KPIS: tuple[str, ...] = tuple(
    sorted((k.name for k in _KPIS.values() if k.headline), key=lambda n: _KPIS[n].headline or 0)
)
KPI_LABELS: dict[str, str] = {k.name: k.label for k in _KPIS.values()}
MONEY = {k.name for k in _KPIS.values() if k.unit == "money"}
PERCENT = {k.name for k in _KPIS.values() if k.unit == "percent"}
COUNTS = {k.name for k in _KPIS.values() if k.unit == "count"}
# for colouring changes: a rise is bad for these, neutral for budgets
LOWER_IS_BETTER = {k.name for k in _KPIS.values() if k.better == "lower"}
NEUTRAL = {k.name for k in _KPIS.values() if k.better == "budget"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
MINUS = "\u2212"  # typographic minus for the bridge

GOOD = "#1a7f4b"
BAD = "#c0392b"
INK = "#1f2933"
MUTED = "#6b7785"
ACCENT = "#2f6fb3"
GRID = "#e4e9ef"

# fixed layout (px): the template uses these heights, so the page height is known up front
HEADER_H = 84
GAP = 16
SECTION_CHROME = 62  # padding 14 + 14, heading 22 + 10, borders 2
CAPTION_H = 20
CARD_H = 140
CARD_GAP = 12
CARDS_PER_ROW = 4
TABLE_HEAD_H = 28
TABLE_ROW_H = 26
OWNER_COVERAGE_MIN = 0.8  # quality.crm_coverage: below it the report warns (as the gate does)
FUNNEL_ROW_H = 38
PAGE_PAD = 24
FOOTER_H = 28


@dataclass
class RenderOutcome:
    """The report files of one run and whether Chromium rendered them."""

    html: Path
    png: Path | None
    pdf: Path | None
    page_height: int
    status: str  # "rendered", "skipped" or "failed"
    note: str | None  # a line for the user when PNG/PDF are missing


def fmt_number(value: float | None, digits: int = 0) -> str:
    """1234.5 -> '1,235'; None -> an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:,.{digits}f}"


def fmt_money(value: float | None, currency: str) -> str:
    """Money in the reporting currency: 2 decimals below 100, none above."""
    if value is None or not math.isfinite(value):
        return "—"
    digits = 2 if abs(value) < 100 else 0
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign = "-" if value < 0 else ""
    if symbol:
        return f"{sign}{symbol}{abs(value):,.{digits}f}"
    return f"{sign}{abs(value):,.{digits}f} {currency}".strip()


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """0.0917 -> '9.2%'."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:,.{digits}f}%"


def fmt_kpi(kpi: str, value: float | None, currency: str) -> str:
    """A KPI value in its unit."""
    if value is None or not math.isfinite(value):
        return "—"
    if kpi in MONEY:
        return fmt_money(value, currency)
    if kpi in PERCENT:
        return fmt_percent(value, 2 if abs(value) < 0.1 else 1)
    if kpi in COUNTS:
        return fmt_number(value)
    unit = _KPIS[kpi].unit if kpi in _KPIS else None
    if unit == "minutes":
        return f"{value:,.1f} min"
    if unit == "months":
        return f"{value:,.1f} mo"
    if kpi == "ltv_to_cac":
        return f"{value:,.1f}x"
    return fmt_number(value, 2)


def fmt_change(kpi: str, abs_change: float | None, rel_change: float | None) -> tuple[str, str]:
    """A change as text and its colour (good, bad or neutral for the KPI's direction)."""
    if abs_change is None or not math.isfinite(abs_change):
        return "—", MUTED
    if kpi in PERCENT:
        text = f"{abs_change * 100:+,.1f} pp"
    elif rel_change is not None and math.isfinite(rel_change):
        text = f"{rel_change * 100:+,.1f}%"
    else:
        text = f"{abs_change:+,.0f}"
    if abs_change == 0 or kpi in NEUTRAL:
        return text, MUTED
    better = (abs_change < 0) if kpi in LOWER_IS_BETTER else (abs_change > 0)
    return text, GOOD if better else BAD


def month_name(month: date) -> str:
    """date(2026, 10, 1) -> 'October 2026'."""
    return f"{month:%B %Y}"


# --------------------------------------------------------------------------------------------
# SVG (drawn here; no chart library)


def _svg(width: int, height: int, body: str, label: str) -> Markup:
    return Markup(
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}">{body}</svg>'
    )


def _text(x: float, y: float, text: str, **attrs: Any) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(text)}</text>'


def sparkline(values: Sequence[float | None], width: int = 286, height: int = 34) -> Markup:
    """A line of the last months' values, the last one dotted; gaps where a value is NULL."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if len(finite) < 2:
        return _svg(width, height, _text(0, 20, "no trend yet", fill=MUTED, font_size=11), "")
    low, high = min(finite), max(finite)
    pad = 4
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def y_of(v: float) -> float:
        if high == low:
            return height / 2
        return pad + (high - v) / (high - low) * (height - 2 * pad)

    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            segments.append([])
            continue
        segments[-1].append(f"{pad + i * step:.1f},{y_of(v):.1f}")
    body = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="{ACCENT}" stroke-width="1.8"/>'
        for s in segments
        if len(s) > 1
    )
    last = values[-1]
    if last is not None and math.isfinite(last):
        x_last = pad + (len(values) - 1) * step
        body += f'<circle cx="{x_last:.1f}" cy="{y_of(last):.1f}" r="3" fill="{ACCENT}"/>'
    return _svg(width, height, body, "12-month trend")


def funnel_chart(steps: list[dict[str, Any]], width: int = 620) -> Markup:
    """Centred log-scale bars, one per funnel step, with step conversion and ad spend per."""
    height = FUNNEL_ROW_H * len(steps) + 24
    bar_x, bar_w = 150, 250
    counts = [s["value"] for s in steps if not s.get("money") and s["value"]]
    top = max(counts) if counts else 1
    body = [
        _text(bar_x + bar_w / 2, 12, "log scale", fill=MUTED, font_size=10, text_anchor="middle"),
        _text(480, 12, "of previous", fill=MUTED, font_size=10, text_anchor="end"),
        _text(width - 4, 12, "ad spend per", fill=MUTED, font_size=10, text_anchor="end"),
    ]
    for i, step in enumerate(steps):
        y = 20 + i * FUNNEL_ROW_H
        mid = y + FUNNEL_ROW_H / 2
        body.append(_text(0, mid + 4, step["label"], fill=INK, font_size=12))
        value = step["value"] or 0
        if step.get("money"):
            w, colour = bar_w, "#8aa9c9"
        else:
            share = math.log10(1 + value) / math.log10(1 + top) if top > 0 else 0
            w, colour = max(3.0, bar_w * share), ACCENT
        body.append(
            f'<rect x="{bar_x + (bar_w - w) / 2:.1f}" y="{y + 6}" width="{w:.1f}" '
            f'height="{FUNNEL_ROW_H - 12}" rx="3" fill="{colour}"/>'
        )
        body.append(
            _text(
                bar_x + bar_w / 2,
                mid + 4,
                step["text"],
                fill="#ffffff",
                font_size=12,
                font_weight="bold",
                text_anchor="middle",
            )
        )
        body.append(
            _text(
                480, mid + 4, step.get("conversion", ""), fill=INK, font_size=12, text_anchor="end"
            )
        )
        body.append(
            _text(
                width - 4, mid + 4, step.get("cost", ""), fill=INK, font_size=12, text_anchor="end"
            )
        )
    return _svg(width, height, "".join(body), "funnel from ad spend to new customers")


def _nice_floor(value: float) -> float:
    if value <= 0:
        return 0.0
    magnitude = 10 ** math.floor(math.log10(value))
    return math.floor(value / magnitude) * magnitude


def bridge_chart(
    bars: list[tuple[str, float, str]], currency: str, width: int = 620, height: int = 300
) -> tuple[Markup, float]:
    """A waterfall of (label, signed amount, kind), kind total / up / down, and its axis start
    (above 0 when the totals dwarf the movements; the total bars then carry a break mark)."""
    levels: list[tuple[float, float]] = []
    running = 0.0
    for _label, amount, kind in bars:
        if kind == "total":
            levels.append((0.0, amount))
            running = amount
        else:
            levels.append((running, running + amount))
            running += amount
    tops = [max(a, b) for a, b in levels]
    low = min(
        min(a, b) if kind != "total" else b
        for (a, b), (_l, _v, kind) in zip(levels, bars, strict=True)
    )
    axis_min = _nice_floor(low * 0.9) if low > 0 else 0.0
    axis_max = max(tops) * 1.04 if max(tops) > 0 else 1.0
    top_pad, bottom_pad, left = 22, 40, 64
    plot_h = height - top_pad - bottom_pad
    slot = (width - left) / len(bars)

    def y_of(v: float) -> float:
        return top_pad + (axis_max - max(axis_min, v)) / (axis_max - axis_min) * plot_h

    body: list[str] = []
    for t in range(4):
        tick = axis_min + (axis_max - axis_min) * t / 3
        y = y_of(tick)
        body.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(
            _text(
                left - 6,
                y + 4,
                fmt_money(tick, currency),
                fill=MUTED,
                font_size=10,
                text_anchor="end",
            )
        )
    colours = {"total": "#4a6a8a", "up": GOOD, "down": BAD}
    for i, ((label, amount, kind), (a, b)) in enumerate(zip(bars, levels, strict=True)):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y_top, y_bottom = y_of(max(a, b)), y_of(min(a, b))
        h = max(1.5, y_bottom - y_top)
        body.append(
            f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{colours[kind]}"/>'
        )
        if kind == "total" and axis_min > 0:  # the axis does not start at 0: mark the break
            yb = top_pad + plot_h - 8
            body.append(
                f'<path d="M{x - 2:.1f},{yb + 3:.1f} l{w / 2 + 2:.1f},-6 l{w / 2 + 2:.1f},6" '
                'fill="none" stroke="#ffffff" stroke-width="3"/>'
            )
        if i + 1 < len(bars):
            y_next = y_of(b)
            body.append(
                f'<line x1="{x + w:.1f}" x2="{x + slot:.1f}" y1="{y_next:.1f}" '
                f'y2="{y_next:.1f}" stroke="{MUTED}" stroke-dasharray="3,2"/>'
            )
        sign = "" if kind == "total" else ("+" if amount >= 0 else MINUS)
        body.append(
            _text(
                x + w / 2,
                y_top - 5,
                sign + fmt_money(abs(amount), currency),
                fill=INK,
                font_size=11,
                text_anchor="middle",
                font_weight="bold",
            )
        )
        body.append(
            _text(x + w / 2, height - 22, label, fill=INK, font_size=10, text_anchor="middle")
        )
    return _svg(width, height, "".join(body), "MRR bridge"), axis_min


def _heat_colour(share: float) -> str:
    """White (0%) to dark blue (100%)."""
    share = min(1.0, max(0.0, share))
    start, end = (247, 251, 255), (8, 69, 148)
    r, g, b = (round(s + (e - s) * share) for s, e in zip(start, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def cohort_heatmap(cohorts: list[dict[str, Any]], columns: int = 12) -> Markup:
    """Acquisition month x months since acquisition, coloured by the share still paying."""
    label_w, size_w, cell_w, cell_h, head_h = 64, 44, 52, 22, 22
    width = label_w + size_w + columns * cell_w
    height = head_h + max(1, len(cohorts)) * cell_h + 30
    body = [
        _text(0, 14, "cohort", fill=MUTED, font_size=10),
        _text(label_w + size_w - 6, 14, "size", fill=MUTED, font_size=10, text_anchor="end"),
    ]
    for k in range(columns):
        x = label_w + size_w + k * cell_w + cell_w / 2
        body.append(_text(x, 14, f"M{k}", fill=MUTED, font_size=10, text_anchor="middle"))
    for row, cohort in enumerate(cohorts):
        y = head_h + row * cell_h
        body.append(_text(0, y + 15, f"{cohort['month']:%Y-%m}", fill=INK, font_size=11))
        body.append(
            _text(
                label_w + size_w - 6,
                y + 15,
                fmt_number(cohort["customers"]),
                fill=INK,
                font_size=11,
                text_anchor="end",
            )
        )
        for k, share in enumerate(cohort["retention"][:columns]):
            x = label_w + size_w + k * cell_w
            fill = _heat_colour(share)
            ink = "#ffffff" if share > 0.55 else INK
            body.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{fill}"/>'
            )
            body.append(
                _text(
                    x + cell_w / 2,
                    y + 15,
                    f"{share * 100:.0f}%",
                    fill=ink,
                    font_size=10,
                    text_anchor="middle",
                )
            )
    if not cohorts:
        body.append(_text(0, head_h + 15, "no paying customers yet", fill=MUTED, font_size=11))
    legend_y = height - 18
    for i in range(11):
        body.append(
            f'<rect x="{label_w + size_w + i * 20}" y="{legend_y}" width="20" height="10" '
            f'fill="{_heat_colour(i / 10)}"/>'
        )
    body.append(
        _text(label_w + size_w - 6, legend_y + 9, "0%", fill=MUTED, font_size=10, text_anchor="end")
    )
    body.append(
        _text(label_w + size_w + 226, legend_y + 9, "100% still paying", fill=MUTED, font_size=10)
    )
    return _svg(width, height, "".join(body), "cohort retention heatmap")


def reps_chart(reps: list[dict[str, Any]], width: int = 520) -> Markup:
    """Per rep, the performance index (won / expected won) over three mature lead months as a
    dot with its 90% interval around the 1.0 line; red only when the whole interval is below
    1 (is_below_expectation_90), amber when the index is below 1 within chance."""
    row_h, head_h, name_w, bar_w = 34, 22, 140, 230
    height = head_h + max(1, len(reps)) * row_h + 8
    tops = [
        v
        for r in reps
        for v in (r.get("trailing_3m_performance_index"), r.get("trailing_3m_index_upper_90"))
        if v is not None and math.isfinite(v)
    ]
    scale_max = max(1.5, *(t * 1.05 for t in tops)) if tops else 1.5

    def x_of(value: float) -> float:
        return name_w + bar_w * min(max(value, 0.0), scale_max) / scale_max

    body = [
        _text(name_w, 14, "index, 3 mature months, with 90% interval", fill=MUTED, font_size=10),
        _text(width, 14, "won / expected", fill=MUTED, font_size=10, text_anchor="end"),
    ]
    for row, rep in enumerate(reps):
        y = head_h + row * row_h
        index = rep.get("trailing_3m_performance_index")
        lower, upper = rep.get("trailing_3m_index_lower_90"), rep.get("trailing_3m_index_upper_90")
        body.append(
            _text(0, y + 21, str(rep["rep_name"] or rep["owner_id"]), fill=INK, font_size=12)
        )
        if index is not None and math.isfinite(index):
            if rep.get("is_below_expectation_90"):
                colour = BAD
            else:
                colour = GOOD if index >= 1 else "#b7791f"
            if lower is not None and upper is not None:
                body.append(
                    f'<line x1="{x_of(lower):.1f}" x2="{x_of(upper):.1f}" y1="{y + 17}" '
                    f'y2="{y + 17}" stroke="{colour}" stroke-width="3" stroke-opacity="0.45"/>'
                )
            body.append(f'<circle cx="{x_of(index):.1f}" cy="{y + 17}" r="6" fill="{colour}"/>')
            label = f"{index:.2f}" + (" below" if rep.get("is_below_expectation_90") else "")
            body.append(
                _text(
                    name_w + bar_w + 8,
                    y + 21,
                    label,
                    fill=colour,
                    font_size=12,
                    font_weight="bold",
                )
            )
        else:
            body.append(_text(name_w, y + 21, "—", fill=MUTED, font_size=12))
        body.append(
            _text(
                width,
                y + 21,
                f"{fmt_number(rep.get('trailing_3m_won_leads'))} / "
                f"{fmt_number(rep.get('trailing_3m_expected_won_leads'), 1)}",
                fill=INK,
                font_size=12,
                text_anchor="end",
            )
        )
    one_x = x_of(1.0)
    body.append(
        f'<line x1="{one_x:.1f}" x2="{one_x:.1f}" y1="{head_h - 2}" y2="{height - 4}" '
        f'stroke="{INK}" stroke-dasharray="4,3"/>'
    )
    if not reps:
        body.append(
            _text(0, head_h + 20, "no mature lead month with reps yet", fill=MUTED, font_size=12)
        )
    return _svg(width, height, "".join(body), "sales reps performance index")


def inline_bar(value: float | None, top: float, colour: str, width: int = 80) -> Markup:
    """A small bar for a table cell; diverging around 0 when `top` spans negatives."""
    if value is None or not math.isfinite(value) or value == 0 or top <= 0:
        return Markup("")
    w = max(1.0, width * min(abs(value), top) / top)
    return _svg(width, 10, f'<rect x="0" y="1" width="{w:.1f}" height="8" fill="{colour}"/>', "")


# --------------------------------------------------------------------------------------------
# page


def _kpi_cards(snap: Snapshot, data: dict[str, Any]) -> list[dict[str, Any]]:
    currency = snap.reporting_currency
    rows = {r["kpi"]: r for r in snap.tables["kpis"].to_pylist()}
    order = [k for k in HEADLINE_KPIS if k in rows]
    order += [r["kpi"] for r in rows.values() if r["target"] is not None and r["kpi"] not in order]
    previous_label = f"{_shift(snap.month, -1):%b}"
    year_label = f"{_shift(snap.month, -12):%b %Y}"
    cards = []
    for kpi in order:
        row = rows[kpi]
        mom_text, mom_colour = fmt_change(kpi, row["change_abs"], row["change_rel"])
        yoy_text, yoy_colour = fmt_change(kpi, row["yoy_change_abs"], row["yoy_change_rel"])
        series = dict(data["trends"].get(kpi, []))
        months = [_shift(snap.month, -i) for i in range(11, -1, -1)]
        if row["is_on_track"] is None:
            status, status_colour = ("no plan", MUTED) if row["target"] is None else ("n/a", MUTED)
        else:
            status, status_colour = ("on track", GOOD) if row["is_on_track"] else ("off track", BAD)
        plan_line = (
            f"plan {fmt_kpi(kpi, row['target'], currency)} · {fmt_percent(row['attainment'], 0)}"
            if row["target"] is not None
            else "no plan for this KPI"
        )
        young = kpi == "cr2" and row.get("is_mature") is False
        if young:
            # a young cohort: judged by its projection, and compared with a mature cohort
            # instead of last month's (also young) one
            status = f"{status} (projected)" if row["is_on_track"] is not None else status
            plan_line = f"projected {fmt_kpi(kpi, row['projected_actual'], currency)}" + (
                f" · plan {fmt_kpi(kpi, row['target'], currency)}"
                if row["target"] is not None
                else ""
            )
            mature = data.get("latest_mature_cr2")
            mom_text, mom_colour = (
                (f"90-day CR2 of {mature[0]:%b %Y} cohort: {fmt_percent(mature[1])}", MUTED)
                if mature
                else ("no cohort mature for 90 days yet", MUTED)
            )
            yoy_text, yoy_colour = "", MUTED
        cards.append(
            {
                "label": KPI_LABELS.get(kpi, kpi.replace("_", " ").capitalize()),
                "value": fmt_kpi(kpi, row["value"], currency) + (" to date" if young else ""),
                "plan": plan_line,
                "status": status,
                "status_colour": status_colour,
                "mom": mom_text if young else f"vs {previous_label} {mom_text}",
                "mom_colour": mom_colour,
                "yoy": yoy_text if young else f"vs {year_label} {yoy_text}",
                "yoy_colour": yoy_colour,
                "sparkline": sparkline([series.get(m) for m in months]),
            }
        )
    return cards


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _alerts(snap: Snapshot) -> list[dict[str, Any]]:
    currency = snap.reporting_currency
    out = []
    for rank, alert in enumerate(snap.alerts, start=1):
        metric = alert["metric"]
        miss = alert["relative_miss"]
        direction = "above budget/limit" if alert["is_lower_better"] else "below plan"
        if alert.get("is_mature") is False:
            direction = (
                f"projected {fmt_kpi(metric, alert['projected_actual'], currency)}: cohort "
                f"{alert['cohort_youngest_age_days']}-{alert['cohort_oldest_age_days']} days old"
            )
        out.append(
            {
                "rank": rank,
                "scope": alert["channel"] or "Whole business",
                "metric": KPI_LABELS.get(metric, metric),
                "actual": fmt_kpi(metric, alert["actual"], currency),
                "target": fmt_kpi(metric, alert["target"], currency),
                "attainment": fmt_percent(alert["attainment"], 1),
                "miss": fmt_percent(miss, 1) if miss is not None else "target 0",
                "severity": alert.get("severity") or "severe",
                "direction": direction,
            }
        )
    return out


def _funnel_steps(snap: Snapshot, data: dict[str, Any]) -> list[dict[str, Any]]:
    currency = snap.reporting_currency
    kpi = {r["kpi"]: r["value"] for r in snap.tables["kpis"].to_pylist()}
    spend = kpi.get("ad_spend") or 0.0
    raw = [
        ("Ad spend", spend, True),
        ("Sessions", kpi.get("sessions"), False),
        ("Leads", kpi.get("leads"), False),
        ("Qualified leads", data["funnel"]["qualified_leads"], False),
        ("Deals", data["funnel"]["deals"], False),
        ("Won leads", data["funnel"]["won_leads"], False),
        ("New customers", kpi.get("new_customers"), False),
    ]
    steps: list[dict[str, Any]] = []
    previous: float | None = None
    for label, value, is_money in raw:
        step: dict[str, Any] = {"label": label, "value": value, "money": is_money}
        if is_money:
            step["text"] = fmt_money(value, currency)
        else:
            step["text"] = fmt_number(value)
            if label != "New customers" and previous:
                step["conversion"] = fmt_percent((value or 0) / previous, 1)
            if value:
                step["cost"] = fmt_money(spend / value, currency)
            previous = value
        steps.append(step)
    return steps


def _channel_rows(snap: Snapshot) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    currency = snap.reporting_currency
    rows = sorted(
        snap.tables["channels"].to_pylist(),
        key=lambda r: (-(r["marketing_cost"] or 0), -(r["new_customers"] or 0), r["channel"]),
    )

    def finite(values: list[float | None]) -> list[float]:
        return [abs(v) for v in values if v is not None and math.isfinite(v)]

    top_cpl = max(finite([r["cpl"] for r in rows]), default=0)
    top_cac = max(finite([r["cac"] for r in rows]), default=0)
    top_romi = max(finite([r["romi_to_date"] for r in rows]), default=0)
    out = []
    for r in rows:
        romi = r["romi_to_date"]
        out.append(
            {
                "channel": r["channel"],
                "group": r["channel_group"] or "",
                "ad_spend": fmt_money(r["ad_spend"], currency),
                "marketing_cost": fmt_money(r["marketing_cost"], currency),
                "leads": fmt_number(r["leads"], 1 if (r["leads"] or 0) % 1 else 0),
                "cpl": fmt_money(r["cpl"], currency),
                "cpl_bar": inline_bar(r["cpl"], top_cpl, "#8aa9c9"),
                "new_customers": fmt_number(
                    r["new_customers"], 1 if (r["new_customers"] or 0) % 1 else 0
                ),
                "cac": fmt_money(r["cac"], currency),
                "cac_bar": inline_bar(r["cac"], top_cac, "#8aa9c9"),
                "romi": fmt_percent(romi, 0),
                "romi_bar": inline_bar(
                    romi, top_romi, GOOD if romi is not None and romi >= 0 else BAD
                ),
                "new_mrr": fmt_money(r.get("new_mrr"), currency),
            }
        )
    kpi = {k["kpi"]: k["value"] for k in snap.tables["kpis"].to_pylist()}
    total = {
        "channel": "Whole business",
        "ad_spend": fmt_money(kpi.get("ad_spend"), currency),
        "marketing_cost": fmt_money(kpi.get("marketing_cost"), currency),
        "leads": fmt_number(kpi.get("leads")),
        "cpl": fmt_money(kpi.get("cpl"), currency),
        "new_customers": fmt_number(kpi.get("new_customers")),
        "cac": fmt_money(kpi.get("cac"), currency),
        "new_mrr": fmt_money(kpi.get("new_mrr"), currency),
    }
    return out, total


def _attribution_rows(data: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    """Each channel's share of the month's leads under last touch, the build's model and
    markov, and its CPL and CAC under last touch and markov."""
    rows = data.get("attribution", [])
    models = ["last_touch", data.get("attribution_model", "last_touch"), "markov"]
    totals = {m: sum((r.get(m) or {}).get("leads") or 0 for r in rows) for m in models}
    out = []
    for r in rows:
        cells = {"channel": r["channel"]}
        for key, model in zip(("last", "chosen", "markov"), models, strict=True):
            leads = (r.get(model) or {}).get("leads") or 0
            cells[key] = fmt_percent(leads / totals[model], 1) if totals[model] else "—"
        for measure in ("cpl", "cac"):
            for key, model in (("last", "last_touch"), ("markov", "markov")):
                value = (r.get(model) or {}).get(measure)
                cells[f"{measure}_{key}"] = fmt_money(value, currency)
        out.append(cells)
    return out


def _lead_quality_rows(data: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    rows = data.get("lead_quality", [])
    top_cost = max(
        (r["cost_per_won_lead"] for r in rows if r["cost_per_won_lead"] is not None), default=0
    )
    return [
        {
            "channel": r["channel"],
            "leads": fmt_number(r["leads"], 1 if (r["leads"] or 0) % 1 else 0),
            "qualification": fmt_percent(r["qualification_rate"], 0),
            "cr2_90d": fmt_percent(r["cr2_90d"], 1),
            "cpl": fmt_money(r["cpl"], currency),
            "cost_per_won": fmt_money(r["cost_per_won_lead"], currency),
            "cost_bar": inline_bar(r["cost_per_won_lead"], top_cost, "#c9a08a"),
        }
        for r in rows
    ]


Z_95 = 1.959963984540054


def wilson_interval(events: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (None without trials)."""
    if trials <= 0:
        return None
    p = events / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return centre - half, centre + half


def newcombe_difference(
    events_a: int, trials_a: int, events_b: int, trials_b: int
) -> tuple[float, float, float] | None:
    """p_a - p_b with Newcombe's hybrid score interval (method 10), from Wilson intervals."""
    wa, wb = wilson_interval(events_a, trials_a), wilson_interval(events_b, trials_b)
    if wa is None or wb is None:
        return None
    pa, pb = events_a / trials_a, events_b / trials_b
    d = pa - pb
    lower = d - math.sqrt((pa - wa[0]) ** 2 + (wb[1] - pb) ** 2)
    upper = d + math.sqrt((wa[1] - pa) ** 2 + (pb - wb[0]) ** 2)
    return d, lower, upper


def stratified_difference(
    strata: list[dict[str, Any]], z: float = Z_95
) -> tuple[float, float, float] | None:
    """The churn difference with - without onboarding averaged over strata (channels) that
    have measurable customers in both groups, weighted by each stratum's onboarded customers,
    with a normal-approximation interval (variance: sum of w^2 (p(1-p)/n) over both groups).
    `strata`: rows of channel, has_onboarding, measurable, churned."""
    groups: dict[str, dict[bool, tuple[float, float]]] = {}
    for row in strata:
        groups.setdefault(row["channel"], {})[bool(row["has_onboarding"])] = (
            row["measurable"],
            row["churned"],
        )
    usable = {
        c: g
        for c, g in groups.items()
        if g.get(True, (0, 0))[0] > 0 and g.get(False, (0, 0))[0] > 0
    }
    total = sum(g[True][0] for g in usable.values())
    if not total:
        return None
    estimate = variance = 0.0
    for g in usable.values():
        (n_with, c_with), (n_without, c_without) = g[True], g[False]
        weight = n_with / total
        p_with, p_without = c_with / n_with, c_without / n_without
        estimate += weight * (p_with - p_without)
        variance += weight**2 * (
            p_with * (1 - p_with) / n_with + p_without * (1 - p_without) / n_without
        )
    half = z * math.sqrt(variance)
    return estimate, estimate - half, estimate + half


def _onboarding_summary(data: dict[str, Any]) -> dict[str, Any]:
    """Churn at 90 days with and without onboarding (95% Wilson intervals), their difference
    (Newcombe), and the rows per bucket."""
    rows = data.get("onboarding", [])
    none = next((r for r in rows if r["bucket"] == "none"), {"measurable": 0, "churned": 0})
    some_m = sum(r["measurable"] for r in rows if r["bucket"] != "none")
    some_c = sum(r["churned"] for r in rows if r["bucket"] != "none")

    def rate(churned: int, measurable: int) -> str:
        interval = wilson_interval(churned, measurable)
        if interval is None:
            return "—"
        return (
            f"{fmt_percent(churned / measurable, 1)} "
            f"({fmt_percent(interval[0], 1)} to {fmt_percent(interval[1], 1)})"
        )

    diff = newcombe_difference(some_c, some_m, none["churned"], none["measurable"])
    stratified = stratified_difference(data.get("onboarding_channels", []))
    return {
        "stratified": (
            f"{stratified[0] * 100:+.1f} pp ({stratified[1] * 100:+.1f} to "
            f"{stratified[2] * 100:+.1f})"
            if stratified
            else "—"
        ),
        "stratified_significant": bool(stratified and (stratified[2] < 0 or stratified[1] > 0)),
        "with": rate(some_c, some_m),
        "with_n": fmt_number(some_m),
        "without": rate(none["churned"], none["measurable"]),
        "without_n": fmt_number(none["measurable"]),
        "difference": (
            f"{diff[0] * 100:+.1f} pp ({diff[1] * 100:+.1f} to {diff[2] * 100:+.1f})"
            if diff
            else "—"
        ),
        "significant": bool(diff and (diff[2] < 0 or diff[1] > 0)),
        "buckets": [
            {
                "bucket": r["bucket"],
                "measurable": fmt_number(r["measurable"]),
                "churn": rate(r["churned"], r["measurable"]),
            }
            for r in rows
        ],
    }


def _pipeline_rows(data: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    rows = data.get("pipeline", [])
    out = [
        {
            "stage": r["stage"] or "(no stage)",
            "open_deals": fmt_number(r["open_deals"], 1 if (r["open_deals"] or 0) % 1 else 0),
            "probability": fmt_percent(r["stage_win_probability"], 0),
            "expected_wins": fmt_number(r["expected_wins"], 1),
            "weighted_amount": fmt_money(r["weighted_amount"], currency),
        }
        for r in rows
    ]
    if rows:
        out.append(
            {
                "stage": "Total",
                "open_deals": fmt_number(sum(r["open_deals"] or 0 for r in rows)),
                "probability": "",
                "expected_wins": fmt_number(sum(r["expected_wins"] or 0 for r in rows), 1),
                "weighted_amount": fmt_money(
                    sum(r["weighted_amount"] or 0 for r in rows), currency
                ),
            }
        )
    return out


def coverage_notes(coverage: dict[str, Any]) -> list[str]:
    """The CRM coverage warnings of quality.crm_coverage, as the report says them."""
    notes = []
    share = coverage.get("owner_coverage")
    if coverage.get("valid_leads") and share is not None and share < OWNER_COVERAGE_MIN:
        notes.append(
            f"Only {fmt_percent(share, 0)} of valid leads have an owner: the reps' view may be "
            "biased."
        )
    early = coverage.get("deals_closed_before_lead") or 0
    if early:
        notes.append(
            f"{fmt_number(early)} deal(s) closed before their lead was created: check the dates."
        )
    return notes


def _bridge(snap: Snapshot) -> tuple[Markup, str, bool, bool]:
    currency = snap.reporting_currency
    rows = {r["kpi"]: r for r in snap.tables["kpis"].to_pylist()}

    def val(kpi: str) -> float:
        v = rows.get(kpi, {}).get("value")
        return float(v) if v is not None else 0.0

    previous = rows["mrr"]["previous_value"] or 0.0  # 0 before the first month (METRICS.md)
    prev_label = f"MRR {_shift(snap.month, -1):%b}"
    bars = [
        (prev_label, previous, "total"),
        ("New", val("new_mrr"), "up"),
        ("Expansion", val("expansion_mrr"), "up"),
        ("Reactivation", val("reactivation_mrr"), "up"),
        ("Contraction", -val("contraction_mrr"), "down"),
        ("Churn", -val("churned_mrr"), "down"),
        (f"MRR {snap.month:%b}", val("mrr"), "total"),
    ]
    computed = previous + sum(amount for _l, amount, kind in bars if kind != "total")
    closes = math.isclose(computed, val("mrr"), rel_tol=1e-9, abs_tol=0.01)
    equation = (
        f"{fmt_money(previous, currency)} + {fmt_money(val('new_mrr'), currency)} "
        f"+ {fmt_money(val('expansion_mrr'), currency)} "
        f"+ {fmt_money(val('reactivation_mrr'), currency)} "
        f"{MINUS} {fmt_money(val('contraction_mrr'), currency)} "
        f"{MINUS} {fmt_money(val('churned_mrr'), currency)} = {fmt_money(val('mrr'), currency)}"
    )
    chart, axis_min = bridge_chart(bars, currency)
    return chart, equation, closes, axis_min > 0


def build_page(snap: Snapshot) -> tuple[str, int]:
    """The report's HTML and its page height in px."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    data = snap.report or {"trends": {}, "funnel": {}, "cohorts": []}
    cards = _kpi_cards(snap, data)
    alerts = _alerts(snap)
    steps = _funnel_steps(snap, data)
    channels, channel_total = _channel_rows(snap)
    bridge_svg, bridge_equation, bridge_closes, bridge_axis_cut = _bridge(snap)
    reps = sorted(
        data.get("reps_mature", []),
        key=lambda r: (
            r["trailing_3m_performance_index"] is None,
            -(r["trailing_3m_performance_index"] or 0),
        ),
    )
    reps_month = reps[0]["month"] if reps else None
    attribution_rows = _attribution_rows(data, snap.reporting_currency)
    pipeline_rows = _pipeline_rows(data, snap.reporting_currency)
    quality_rows = _lead_quality_rows(data, snap.reporting_currency)
    onboarding = _onboarding_summary(data)
    quality_month = next((r["month"] for r in data.get("lead_quality", [])), None)
    pipeline_as_of = next((r["as_of_date"] for r in data.get("pipeline", [])), None)
    crm_notes = coverage_notes(data.get("crm_coverage") or {})
    heatmap = cohort_heatmap(data["cohorts"])
    reps_svg = reps_chart(reps)
    funnel_svg = funnel_chart(steps)

    card_rows = max(1, math.ceil(len(cards) / CARDS_PER_ROW))
    heights = {
        "kpis": card_rows * CARD_H + (card_rows - 1) * CARD_GAP + CAPTION_H,
        "alerts": TABLE_HEAD_H + max(1, len(alerts)) * TABLE_ROW_H + CAPTION_H,
        "flow": max(int(funnel_svg_height(steps)), 300) + CAPTION_H * 2,
        "channels": TABLE_HEAD_H + (len(channels) + 1) * TABLE_ROW_H + CAPTION_H,
        "quality": TABLE_HEAD_H + max(1, len(quality_rows)) * TABLE_ROW_H + CAPTION_H,
        "onboarding": TABLE_HEAD_H + (4 + len(onboarding["buckets"])) * TABLE_ROW_H + CAPTION_H * 2,
        "insight": TABLE_HEAD_H
        + max(1, len(attribution_rows), len(pipeline_rows)) * TABLE_ROW_H
        + CAPTION_H * 2,
        "people": max(_svg_height(heatmap), _svg_height(reps_svg))
        + CAPTION_H * (1 + len(crm_notes)),
    }
    page_height = (
        PAGE_PAD * 2
        + HEADER_H
        + GAP
        + sum(h + SECTION_CHROME + GAP for h in heights.values())
        + FOOTER_H
    )
    build = snap.build
    env = Environment(
        loader=PackageLoader("fullfunnel", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    html = env.get_template("report.html.j2").render(
        page_width=PAGE_WIDTH,
        page_height=page_height,
        heights=heights,
        month=snap.month_label,
        month_name=month_name(snap.month),
        is_complete=snap.is_complete_month,
        currency=snap.reporting_currency,
        latest_event=(
            f"{snap.latest_event_at:%Y-%m-%d %H:%M}" if snap.latest_event_at else "unknown"
        ),
        build_at=(
            f"{build['run_started_at']:%Y-%m-%d %H:%M}" if build.get("run_started_at") else "?"
        ),
        invocation=str(build.get("invocation_id") or "?")[:8],
        metrics_version=build.get("metrics_version") or "?",
        attribution_model=build.get("attribution_model") or "",
        cards=cards,
        alerts=alerts,
        has_plan=snap.has_plan,
        funnel_svg=funnel_svg,
        new_customer_cac=fmt_money(
            next((r["value"] for r in snap.tables["kpis"].to_pylist() if r["kpi"] == "cac"), None),
            snap.reporting_currency,
        ),
        bridge_svg=bridge_svg,
        bridge_equation=bridge_equation,
        bridge_closes=bridge_closes,
        bridge_axis_cut=bridge_axis_cut,
        channels=channels,
        channel_total=channel_total,
        attribution_rows=attribution_rows,
        quality_rows=quality_rows,
        onboarding=onboarding,
        quality_month=f"{quality_month:%B %Y}" if quality_month else "no mature cohort yet",
        chosen_model=data.get("attribution_model", "last_touch"),
        pipeline_rows=pipeline_rows,
        pipeline_as_of=f"{pipeline_as_of:%Y-%m-%d}" if pipeline_as_of else "",
        month_new_customers=fmt_number(
            next(
                (
                    r["value"]
                    for r in snap.tables["kpis"].to_pylist()
                    if r["kpi"] == "new_customers"
                ),
                None,
            )
        ),
        heatmap=heatmap,
        reps_svg=reps_svg,
        crm_notes=crm_notes,
        reps_window=(
            f"{_shift(reps_month, -2):%b}-{reps_month:%b %Y}" if reps_month else "no mature month"
        ),
        good=GOOD,
        bad=BAD,
    )
    return html, page_height


def funnel_svg_height(steps: Sequence[Any]) -> int:
    """Height of the funnel chart for this many steps."""
    return FUNNEL_ROW_H * len(steps) + 24


def _svg_height(svg: Markup) -> int:
    marker = 'height="'
    start = svg.index(marker) + len(marker)
    return int(float(svg[start : svg.index('"', start)]))


# --------------------------------------------------------------------------------------------
# rendering


def find_chromium() -> str | None:
    """The Chromium binary to use, or None when there is none."""
    configured = os.environ.get("FULLFUNNEL_CHROMIUM")
    if configured is not None:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    fallback = Path("/usr/bin/chromium")
    return str(fallback) if fallback.is_file() else None


def chromium_environment() -> dict[str, str]:
    """The environment Chromium runs in: ours, without a D-Bus session to wait for."""
    return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}


def run_chromium(
    binary: str,
    args: Sequence[str],
    url: str,
    attempt_seconds: float = RENDER_ATTEMPT_SECONDS,
    attempts: int = RENDER_ATTEMPTS,
) -> tuple[int, str]:
    """Run headless Chromium on `url` until it exits 0, at most `attempts` times.

    Every attempt gets a fresh profile and its own process group; one that outlives
    `attempt_seconds` is killed with its children. Returns the last exit code (-1 for a
    time-out) and a one-line account of the failed attempts ("" when the first succeeded).
    """
    failures: list[str] = []
    code = -1
    for _ in range(attempts):
        with tempfile.TemporaryDirectory(prefix="fullfunnel-chromium-") as profile:
            proc = subprocess.Popen(
                [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=chromium_environment(),
                start_new_session=True,
            )
            try:
                _, stderr = proc.communicate(timeout=attempt_seconds)
                code = proc.returncode
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                code, stderr = -1, f"no exit after {attempt_seconds:g} s, killed"
        if code == 0:
            break
        failures.append(f"exit {code}: {(stderr.strip().splitlines() or ['no output'])[-1][:200]}")
    return code, "; ".join(failures)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill a Chromium started with `start_new_session=True`, its helpers included."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:  # a helper that left the group still holds the pipe
        proc.wait()


def render_report(snap: Snapshot, folder: Path) -> RenderOutcome:
    """Write report.html into `folder`, then report.png and report.pdf when Chromium runs."""
    html, page_height = build_page(snap)
    html_path = folder / "report.html"
    html_path.write_text(html, encoding="utf-8")
    binary = find_chromium()
    if binary is None:
        return RenderOutcome(
            html_path,
            None,
            None,
            page_height,
            "skipped",
            "PNG/PDF skipped: Chromium not found (install it with scripts/install_chromium.sh "
            "or set FULLFUNNEL_CHROMIUM); report.html was written",
        )
    png, pdf = folder / "report.png", folder / "report.pdf"
    url = html_path.resolve().as_uri()
    jobs = {
        png: [f"--screenshot={png}", f"--window-size={PAGE_WIDTH},{page_height}"],
        pdf: [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"],
    }
    problems: list[str] = []
    for path, args in jobs.items():
        code, failures = run_chromium(binary, args, url)
        if code != 0 or not path.exists() or path.stat().st_size == 0:
            problems.append(f"{path.name}: {failures or f'exit {code}, no file written'}")
    if problems:
        for path in (png, pdf):
            path.unlink(missing_ok=True)
        return RenderOutcome(
            html_path,
            None,
            None,
            page_height,
            "failed",
            f"PNG/PDF skipped: Chromium ({binary}) failed: {'; '.join(problems)}; "
            "report.html was written",
        )
    return RenderOutcome(html_path, png, pdf, page_height, "rendered", None)
