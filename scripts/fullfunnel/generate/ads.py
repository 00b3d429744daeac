"""Step 5, ads: one row per campaign per day from the paid sessions, plus restated copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.generate.dates import DAY, MONTH_STARTS, N_MONTHS, START_D
from fullfunnel.generate.files import COLUMNS, _CsvWriter
from fullfunnel.generate.people import _scatter
from fullfunnel.generate.values import _date, _int, _money, _month_of, _rng
from fullfunnel.generate.world import PLATFORMS, _Campaign

# ----------------------------------------------------------------------------- ads


def _write_ads(
    seed: int, out: Path, campaigns: list[_Campaign], paid: np.ndarray
) -> dict[str, tuple[int, int]]:
    """The three ad files: a row per active campaign and day, clicks >= the paid sessions
    seen that day, spend = clicks x CPC (noisy), restated copies appended after each
    month's rows, a few rows with negative clicks."""
    rng = _rng(seed, 6)
    out_counts: dict[str, tuple[int, int]] = {}
    files = ("ads/google_ads__campaign_stats.csv", "ads/meta_ads__ads_insights.csv",
             "ads/yandex_direct__campaign_report.csv")  # fmt: skip
    for p, plat in enumerate(PLATFORMS):
        cidx = [i for i, c in enumerate(campaigns) if c.platform == p]
        rows_c, rows_d = [], []
        for i in cidx:
            c = campaigns[i]
            d = np.arange(c.start_d, c.end_d + 1)
            rows_c.append(np.full(len(d), i))
            rows_d.append(d)
        camp = np.concatenate(rows_c)
        day = np.concatenate(rows_d)
        o = np.lexsort((camp, day))
        camp, day = camp[o], day[o]
        n = len(camp)
        sess = paid[camp, day - START_D]
        clicks = sess + rng.poisson(0.12 * sess + 0.5)
        cpc = np.array([c.cpc for c in campaigns])[camp]
        ctr = np.array([c.ctr for c in campaigns])[camp]
        spend = np.round(clicks * cpc * np.exp(rng.normal(0, 0.15, n)) * 100).astype(np.int64)
        impressions = np.round((clicks + 0.5) / ctr * np.exp(rng.normal(0, 0.2, n))).astype(
            np.int64
        )
        conversions = np.round(clicks * 0.09 * np.exp(rng.normal(0, 0.3, n)) * 100).astype(np.int64)
        # restatements: at each month end the platform re-delivers ~2% of the last 30 days
        month = _month_of(day * DAY)
        blocks = []
        for m in range(N_MONTHS):
            base = np.flatnonzero(month == m)
            end_d = MONTH_STARTS[m + 1] - 1
            recent = np.flatnonzero((day >= end_d - 29) & (day <= end_d))
            again = recent[rng.random(len(recent)) < 0.02]
            blocks.append((base, False))
            blocks.append((again, True))
        idx = np.concatenate([b[0] for b in blocks])
        restated = np.concatenate([np.full(len(b[0]), b[1]) for b in blocks])
        r = len(idx)
        clicks_o = clicks[idx].copy()
        spend_o = spend[idx].copy()
        impr_o = impressions[idx].copy()
        conv_o = conversions[idx].copy()
        clicks_o[restated] = np.maximum(0, clicks_o[restated] + rng.integers(-2, 4, restated.sum()))
        spend_o[restated] = (spend_o[restated] * rng.uniform(0.97, 1.06, restated.sum())).astype(
            np.int64
        )
        impr_o[restated] = (impr_o[restated] * rng.uniform(0.98, 1.03, restated.sum())).astype(
            np.int64
        )
        # dirty: negative clicks on a few rows whose key is never restated
        restated_keys = np.unique(idx[restated])
        clean = np.flatnonzero(~restated & ~np.isin(idx, restated_keys))
        n_bad = max(1, round(0.002 * r))
        bad = np.sort(rng.choice(clean, n_bad, replace=False))
        clicks_o[bad] = -np.maximum(clicks_o[bad], 1)
        # a few ids delivered with a stray space or tab (trimmed by the loader)
        rest = np.setdiff1d(clean, bad)
        spaced = np.sort(rng.choice(rest, max(1, round(0.001 * r)), replace=False))
        cid = pa.array([c.campaign_id for c in campaigns]).take(pa.array(camp[idx]))
        cid = _scatter(
            cid, spaced, pc.binary_join_element_wise(cid.take(pa.array(spaced)), "\t", "")
        )
        name = pa.array([c.name for c in campaigns]).take(pa.array(camp[idx]))
        date = _date(day[idx])
        cur = pa.array([plat.currency] * r)
        if p == 0:
            data = {
                "date": date,
                "customer_id": pa.array([plat.account_id] * r),
                "campaign_id": cid,
                "campaign_name": name,
                "cost_micros": _int(spend_o * 10_000),
                "impressions": _int(impr_o),
                "clicks": _int(clicks_o),
                "conversions": _money(conv_o),
                "currency_code": cur,
            }
        elif p == 1:
            data = {
                "date_start": date,
                "account_id": pa.array([plat.account_id] * r),
                "account_currency": cur,
                "campaign_id": cid,
                "campaign_name": name,
                "spend": _money(spend_o),
                "impressions": _int(impr_o),
                "clicks": _int(clicks_o),
            }
        else:
            gross = np.round(spend_o * 1.2).astype(np.int64)  # VAT 20% included in Cost
            data = {
                "Date": date,
                "CampaignId": cid,
                "CampaignName": name,
                "Cost": _money(gross),
                "Impressions": _int(impr_o),
                "Clicks": _int(clicks_o),
                "Currency": cur,
            }
        w = _CsvWriter(out / files[p], COLUMNS[files[p]])
        w.write(data)
        out_counts[files[p]] = (w.close(), n_bad)
    return out_counts
