"""The demo's Markov removal effects (METRICS.md, "Data-driven attribution") recomputed
independently of the dbt models: paths built here from the staged sessions and the
touchpoints of fct_attribution, the chain solved in exact rational arithmetic (fractions,
Gaussian elimination with pivoting), every channel compared with mart_attribution_markov."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from fractions import Fraction

from .conftest import DbtResult

WINDOW_DAYS = 30  # var attribution_window_days, default


def _merge_repeats(channels: list[str]) -> list[str]:
    merged: list[str] = []
    for channel in channels:
        if not merged or merged[-1] != channel:
            merged.append(channel)
    return merged


def _paths(demo: DbtResult) -> tuple[list[list[str]], list[list[str]]]:
    """(converting paths, non-converting paths) as lists of channels."""
    (as_of,) = demo.query("select max(as_of_date) from intermediate.int_months_covered")[0]
    with_leads = demo.query(
        f"""
        select a.lead_id, a.channel
        from marts.fct_attribution as a
        inner join marts.fct_leads as l on a.lead_id = l.lead_id
        where a.attribution_model = 'first_touch' and cast(l.created_at as date) <= date '{as_of}'
        order by a.lead_id, a.touchpoint_number
        """
    )
    by_lead: dict[str, list[str]] = defaultdict(list)
    for lead_id, channel in with_leads:
        by_lead[lead_id].append(channel)
    converting = [_merge_repeats(channels) for channels in by_lead.values()]

    sessions = demo.query(
        f"""
        select s.visitor_id, s.started_at, s.session_id, s.channel
        from intermediate.int_sessions_classified as s
        where s.visitor_id is not null
          and cast(s.started_at as date) <= date '{as_of}'
          and s.visitor_id not in (
              select visitor_id from intermediate.int_leads_deduplicated
              where is_valid and visitor_id is not null
                and cast(created_at as date) <= date '{as_of}'
          )
        """
    )
    by_visitor: dict[str, list[tuple[dt.datetime, str, str]]] = defaultdict(list)
    for visitor_id, started_at, session_id, channel in sessions:
        by_visitor[visitor_id].append((started_at, session_id, channel))
    non_converting = []
    for visits in by_visitor.values():
        last = max(started for started, _, _ in visits)
        in_window = sorted(v for v in visits if v[0] >= last - dt.timedelta(days=WINDOW_DAYS))
        non_converting.append(_merge_repeats([channel for _, _, channel in in_window]))
    return converting, non_converting


def _conversion_probability(
    counts: dict[str, Counter], channels: list[str], removed: str | None
) -> Fraction:
    """P(start -> conversion), transitions into `removed` sent to null, solved exactly."""
    index = {c: i for i, c in enumerate(channels)}
    n = len(channels)
    # rows: x_i - sum_j q_ij x_j = q_i,conversion ; x_removed = 0
    matrix = [[Fraction(0)] * (n + 1) for _ in range(n)]
    for c, i in index.items():
        matrix[i][i] = Fraction(1)
        if c == removed:
            continue
        total = sum(counts[c].values())
        for target, k in counts[c].items():
            if target == "conversion":
                matrix[i][n] += Fraction(k, total)
            elif target in index:
                matrix[i][index[target]] -= Fraction(k, total)
    for col in range(n):
        pivot = next(r for r in range(col, n) if matrix[r][col] != 0)
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        for r in range(n):
            if r != col and matrix[r][col] != 0:
                factor = matrix[r][col] / matrix[col][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[col], strict=True)]
    x = {c: matrix[i][n] / matrix[i][i] for c, i in index.items()}
    start_total = sum(counts["start"].values())
    entered = {c: Fraction(k, start_total) for c, k in counts["start"].items() if c != removed}
    return sum((share * x[c] for c, share in entered.items()), Fraction(0))


def test_removal_effects_match_an_exact_independent_solution(demo_build: DbtResult) -> None:
    converting, non_converting = _paths(demo_build)
    counts: dict[str, Counter] = defaultdict(Counter)
    for paths, outcome in ((converting, "conversion"), (non_converting, "null")):
        for path in paths:
            for source, target in zip(["start", *path], [*path, outcome], strict=True):
                counts[source][target] += 1
    channels = sorted({c for path in converting + non_converting for c in path})
    p = _conversion_probability(counts, channels, None)
    assert p == Fraction(len(converting), len(converting) + len(non_converting))
    effects = {c: 1 - _conversion_probability(counts, channels, c) / p for c in channels}
    effect_sum = sum(effects.values())

    mart = {
        row[0]: row[1:]
        for row in demo_build.query(
            "select channel, converting_paths, non_converting_paths, removal_effect,"
            " markov_conversions from marts.mart_attribution_markov"
        )
    }
    assert sorted(mart) == channels
    assert len(channels) >= 5
    for c in channels:
        converting_paths, non_converting_paths, removal_effect, markov_conversions = mart[c]
        assert converting_paths == sum(c in path for path in converting), c
        assert non_converting_paths == sum(c in path for path in non_converting), c
        assert abs(removal_effect - float(effects[c])) < 1e-9, (c, removal_effect, effects[c])
        expected_conversions = len(converting) * effects[c] / effect_sum
        assert abs(markov_conversions - float(expected_conversions)) < 1e-9, c
