"""`fullfunnel backtest` on the demo: young cohorts' projected 90-day CR2, 90 days back,
against the CR2 they reached (issue 16; docs/cohorts.md quotes the figure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fullfunnel.backtest import BacktestResult, CohortError, backtest

from .conftest import DbtResult


def test_projection_backtest_on_the_demo(demo_build: DbtResult, tmp_path: Path) -> None:
    result = backtest(demo_build.db_path, demo_build.raw_dir, 90, tmp_path, {})  # type: ignore[attr-defined]
    print(
        f"backtest: whole business MAE {result.business_mae_points:.2f} pp over "
        f"{len(result.business)} cohorts; channel cohorts (lead-weighted) "
        f"{result.channel_mae_points:.2f} pp over {len(result.channels)}"
    )
    assert result.as_of_date == date(2026, 10, 31)
    assert result.backtest_as_of_date == date(2026, 8, 2)
    # the cohorts young on 2026-08-02 and mature on 2026-10-31: May, June and July 2026
    assert [c.month for c in result.business] == [date(2026, m, 1) for m in (5, 6, 7)]
    assert result.business_mae_points is not None and result.business_mae_points < 3.0
    assert result.channel_mae_points is not None and result.channel_mae_points < 5.0


def test_mean_errors_are_in_points_and_weighted_by_leads() -> None:
    business = [
        CohortError(date(2026, 5, 1), None, 100, 0.20, 0.25),
        CohortError(date(2026, 6, 1), None, 300, 0.30, 0.29),
    ]
    channels = [
        CohortError(date(2026, 5, 1), "a", 100, 0.20, 0.25),
        CohortError(date(2026, 5, 1), "b", 300, 0.30, 0.29),
    ]
    result = BacktestResult(date(2026, 10, 31), date(2026, 8, 2), business, channels)
    assert round(result.business_mae_points, 9) == 3.0  # (5 + 1) / 2
    assert round(result.channel_mae_points, 9) == 2.0  # (5 x 100 + 1 x 300) / 400
    assert BacktestResult(date(2026, 10, 31), date(2026, 8, 2), [], []).business_mae_points is None
