"""Step 4, traffic: the sessions of converting journeys and of visitors who never convert."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.generate.dates import (
    DAY,
    END_D,
    END_S,
    MONTH_STARTS,
    N_DAYS,
    N_MONTHS,
    START_D,
    START_S,
)
from fullfunnel.generate.files import COLUMNS, _CsvWriter
from fullfunnel.generate.people import _Leads, _scatter
from fullfunnel.generate.values import (
    URLSAFE,
    _choice,
    _group_positions,
    _ids,
    _int,
    _month_of,
    _random_token,
    _rng,
    _ts_variants,
)
from fullfunnel.generate.world import (
    CHANNELS,
    DIRECT,
    JOURNEY_MIX,
    LEAD_MIX,
    NONCONV_SESSIONS_PER_LEAD,
    ORG_SEARCH,
    PAID_CHANNELS,
    PLATFORMS,
    SOURCES,
    _Campaign,
    _Pool,
)

# ----------------------------------------------------------------------------- sessions


@dataclass
class _Sessions:
    """Sessions as numbers: time, visitor, channel, campaign and traffic codes."""

    time: np.ndarray
    visitor: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray  # global campaign index, -1
    codes: dict[str, np.ndarray]
    dirty: np.ndarray  # bool: started_at is written unparseable

    def take(self, idx: np.ndarray) -> _Sessions:
        return _Sessions(
            self.time[idx],
            self.visitor[idx],
            self.channel[idx],
            self.campaign[idx],
            {k: v[idx] for k, v in self.codes.items()},
            self.dirty[idx],
        )

    @staticmethod
    def concat(parts: Sequence[_Sessions]) -> _Sessions:
        return _Sessions(
            np.concatenate([p.time for p in parts]),
            np.concatenate([p.visitor for p in parts]),
            np.concatenate([p.channel for p in parts]),
            np.concatenate([p.campaign for p in parts]),
            {k: np.concatenate([p.codes[k] for p in parts]) for k in parts[0].codes},
            np.concatenate([p.dirty for p in parts]),
        )


TRAFFIC_COLUMNS = ("landing_page", "referrer_domain", "utm_source", "utm_medium", "utm_campaign",
                   "utm_content", "utm_term", "click_id_type")  # fmt: skip


class _Traffic:
    """Draws a session's traffic fields (UTMs, referrer, click id type) from its channel."""

    def __init__(self, campaigns: list[_Campaign]) -> None:
        self.pool = _Pool()
        self.campaigns = campaigns
        self.camp_codes = self.pool.codes([c.campaign_id for c in campaigns])
        self.camp_platform = np.array([c.platform for c in campaigns])
        # per platform and day, the cumulative traffic share of its campaigns
        self.platform_camps: list[np.ndarray] = []
        self.platform_cum: list[np.ndarray] = []
        days = np.arange(START_D, END_D + 1)[:, None]
        for p in range(len(PLATFORMS)):
            idx = np.flatnonzero(self.camp_platform == p)
            start = np.array([campaigns[i].start_d for i in idx])[None, :]
            end = np.array([campaigns[i].end_d for i in idx])[None, :]
            weight = np.array([campaigns[i].weight for i in idx])[None, :]
            w = ((days >= start) & (days <= end)) * weight
            cum = np.cumsum(w, axis=1)
            self.platform_camps.append(idx)
            self.platform_cum.append(cum / cum[:, -1:])

    def pick_campaign(self, rng: np.random.Generator, platform: int, t: np.ndarray) -> np.ndarray:
        """A campaign of the platform active on each instant's day, by traffic weight."""
        day = np.clip(t // DAY - START_D, 0, N_DAYS - 1)
        cum = self.platform_cum[platform][day]
        j = (rng.random(len(t))[:, None] >= cum).sum(axis=1)
        idx = self.platform_camps[platform]
        return idx[np.minimum(j, len(idx) - 1)]

    def draw(
        self, rng: np.random.Generator, channel: np.ndarray, t: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Campaign index and traffic codes for sessions of the given channels and times."""
        n = len(channel)
        camp = np.full(n, -1, dtype=np.int64)
        codes = {c: np.zeros(n, dtype=np.int32) for c in TRAFFIC_COLUMNS}
        for ch in range(len(CHANNELS)):
            idx = np.flatnonzero(channel == ch)
            if len(idx) == 0:
                continue
            src = SOURCES[ch]
            m = len(idx)
            pair = _choice(rng, m, [p[2] for p in src.pairs])
            codes["utm_source"][idx] = self.pool.codes([p[0] for p in src.pairs])[pair]
            codes["utm_medium"][idx] = self.pool.codes([p[1] for p in src.pairs])[pair]
            ref = _choice(rng, m, [r[1] for r in src.referrers])
            codes["referrer_domain"][idx] = self.pool.codes([r[0] for r in src.referrers])[ref]
            land = _choice(rng, m, [x[1] for x in src.landing])
            codes["landing_page"][idx] = self.pool.codes([x[0] for x in src.landing])[land]
            for col, values, p in (
                ("utm_content", src.content, src.content_p),
                ("utm_term", src.term, src.term_p),
                ("utm_campaign", src.campaigns, src.campaign_p),
            ):
                if values:
                    has = rng.random(m) < p
                    pick = self.pool.codes(values)[rng.integers(0, len(values), m)]
                    codes[col][idx] = np.where(has, pick, 0)
            if ch in PAID_CHANNELS:
                platform = PAID_CHANNELS.index(ch)
                camp[idx] = self.pick_campaign(rng, platform, t[idx])
                codes["utm_campaign"][idx] = self.camp_codes[camp[idx]]
                has_click = rng.random(m) < src.click_p
                auto = rng.random(m) < src.auto_tag_p
                has_click |= auto
                ctype = self.pool.code(PLATFORMS[platform].click_type)
                codes["click_id_type"][idx] = np.where(has_click, ctype, 0)
                for col in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"):
                    codes[col][idx] = np.where(auto, 0, codes[col][idx])
        return camp, codes


def _journeys(seed: int, leads: _Leads, traffic: _Traffic) -> tuple[_Sessions, np.ndarray]:
    """Sessions of the visitors who became leads: 1-6 visits over up to ~40 days, the last
    one minutes before the form and of the lead's channel. Returns the sessions and, per
    lead, the index of its last session (-1)."""
    rng = _rng(seed, 4)
    lead_idx = np.flatnonzero((leads.visitor >= 0) & (leads.kind != 3))
    spam = leads.kind[lead_idx] == 1
    k = np.where(spam, 1, 1 + np.minimum(rng.poisson(1.5, len(lead_idx)), 5))
    owner, pos = _group_positions(k)
    lead = lead_idx[owner]
    is_last = pos == k[owner] - 1
    span = rng.uniform(1.0, 40.0, len(lead_idx))[owner] * DAY
    back = np.where(
        is_last, rng.integers(30, 1_500, len(lead)), (rng.uniform(0.05, 1.0, len(lead)) * span)
    ).astype(np.int64)
    t = leads.created[lead] - np.maximum(back, 30)
    channel = np.where(
        is_last | (rng.random(len(lead)) < 0.55),
        leads.channel[lead],
        _choice(rng, len(lead), JOURNEY_MIX),
    )
    keep = t >= START_S
    lead, t, channel, is_last = lead[keep], t[keep], channel[keep], is_last[keep]
    camp, codes = traffic.draw(rng, channel, t)
    s = _Sessions(t, leads.visitor[lead], channel, camp, codes, np.zeros(len(t), bool))
    last_of = np.full(leads.n, -1)
    last_of[lead[is_last]] = np.flatnonzero(is_last)
    return s, last_of


def _nonconverting(
    rng: np.random.Generator,
    month: int,
    leads_in_month: int,
    traffic: _Traffic,
    first_visitor: int,
) -> _Sessions:
    """Sessions of visitors who never leave a lead in this month (1-4 visits each)."""
    per_visitor = 1.45
    lam = leads_in_month * LEAD_MIX * NONCONV_SESSIONS_PER_LEAD / per_visitor
    nv = rng.poisson(lam)
    v_channel = np.repeat(np.arange(len(CHANNELS)), nv)
    v_count = 1 + np.minimum(rng.poisson(per_visitor - 1, len(v_channel)), 3)
    visitor, pos = _group_positions(v_count)
    lo, hi = MONTH_STARTS[month] * DAY, MONTH_STARTS[month + 1] * DAY
    t = rng.integers(lo, hi, len(visitor))
    o = np.lexsort((t, visitor))
    t = t[o]  # times ascending within each visitor (visitor stays sorted)
    channel = np.where(
        pos == 0,
        v_channel[visitor],
        np.where(
            rng.random(len(visitor)) < 0.5,
            v_channel[visitor],
            np.where(rng.random(len(visitor)) < 0.7, DIRECT, ORG_SEARCH),
        ),
    )
    camp, codes = traffic.draw(rng, channel, t)
    dirty = rng.random(len(t)) < 0.003
    return _Sessions(t, first_visitor + visitor, channel, camp, codes, dirty)


def _click_ids(rng: np.random.Generator, kind: str, n: int) -> pa.Array:
    """Ad click ids that look like the real ones (gclid, fbclid, yclid)."""
    if kind == "gclid":
        return pc.binary_join_element_wise("Cj0KCQjw", _random_token(rng, n, 28, URLSAFE), "")
    if kind == "fbclid":
        return pc.binary_join_element_wise("IwAR", _random_token(rng, n, 40, URLSAFE), "")
    return _int(rng.integers(10**15, 10**17, n))


DIRTY_TIMES = ("2025-13-45T99:00:00Z", "yesterday", "31/12/2025 10:00", "n/a")


def _visitor_ids(numbers: np.ndarray) -> pa.Array:
    """'vz-<10 digits>' from visitor numbers (a bijection, so unique)."""
    scrambled = (np.asarray(numbers, dtype=np.int64) * 104_729 + 7_654_321) % 10_000_000_000
    return pc.binary_join_element_wise("vz-", pc.utf8_lpad(_int(scrambled), 10, "0"), "")


def _write_sessions(
    seed: int,
    out: Path,
    leads: _Leads,
    journeys: _Sessions,
    traffic: _Traffic,
    n_campaigns: int,
    progress: Callable[[str], None],
) -> tuple[int, np.ndarray, int]:
    """sessions.csv, month by month. Returns rows, paid sessions per (campaign, day), and
    the number of dirty rows."""
    w = _CsvWriter(out / "web/sessions.csv", COLUMNS["web/sessions.csv"])
    paid = np.zeros(n_campaigns * N_DAYS, dtype=np.int64)
    leads_per_month = np.bincount(_month_of(leads.created), minlength=N_MONTHS)[:N_MONTHS]
    next_visitor = int(leads.visitor.max(initial=-1)) + 1
    j_month = _month_of(journeys.time)
    next_id = 1
    n_dirty = 0
    for m in range(N_MONTHS):
        t0 = time.perf_counter()
        rng = _rng(seed, 5, m)
        nonconv = _nonconverting(rng, m, int(leads_per_month[m]), traffic, next_visitor)
        if len(nonconv.visitor):
            next_visitor = int(nonconv.visitor.max()) + 1
        s = _Sessions.concat([journeys.take(np.flatnonzero(j_month == m)), nonconv])
        s = s.take(np.argsort(s.time, kind="stable"))
        s = s.take(np.flatnonzero(s.time < END_S))
        n = len(s.time)
        pm = s.campaign >= 0
        paid += np.bincount(
            s.campaign[pm] * N_DAYS + (s.time[pm] // DAY - START_D), minlength=len(paid)
        )
        shape = _choice(rng, n, [0.88, 0.03, 0.02, 0.05, 0.02])
        started = _ts_variants(s.time, shape, rng.integers(0, 1_000_000, n))
        dirty = np.flatnonzero(s.dirty)
        n_dirty += len(dirty)
        junk = pa.array(DIRTY_TIMES).take(pa.array(rng.integers(0, len(DIRTY_TIMES), len(dirty))))
        started = _scatter(started, dirty, junk)
        ctype = s.codes["click_id_type"]
        click = pa.nulls(n, pa.string())
        for name in ("gclid", "fbclid", "yclid"):
            sel = ctype == traffic.pool.code(name)
            if sel.any():
                click = pc.replace_with_mask(click, pa.array(sel), _click_ids(rng, name, sel.sum()))
        data = {c: traffic.pool.take(s.codes[c]) for c in TRAFFIC_COLUMNS}
        data.update(
            session_id=_ids("ss-", np.arange(next_id, next_id + n), 9),
            visitor_id=_visitor_ids(s.visitor),
            started_at=started,
            click_id=click,
        )
        next_id += n
        w.write(data)
        progress(f"  sessions {m + 1:2d}/{N_MONTHS}: {n:,} rows ({time.perf_counter() - t0:.1f}s)")
    return w.close(), paid.reshape(n_campaigns, N_DAYS), n_dirty
