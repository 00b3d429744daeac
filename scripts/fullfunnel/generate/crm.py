"""Step 2, the CRM funnel: calls, deals and their stage history, lead statuses."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fullfunnel.generate.dates import DAY, END_S, HOUR, START_S
from fullfunnel.generate.people import _Leads
from fullfunnel.generate.values import _choice, _group_positions, _lognormal, _rng
from fullfunnel.generate.world import (
    COUNTRIES,
    DEAL_RATE,
    FIRST_CALL_MEDIAN_MIN,
    FIRST_CALL_SIGMA,
    KZ,
    N_REPS,
    P_CALLED,
    P_REACHED,
    PARTNERS,
    REACHED_NORMAL,
    REP_DEAL_FACTOR,
    REP_WIN_FACTOR,
    WIN_RATE,
)

# ----------------------------------------------------------------------------- funnel

STAGES = ("discovery", "proposal", "negotiation", "closed_won", "closed_lost")
PIPELINES = ("smb", "mid_market", "kz")
LOST_REASONS = ("price", "no_decision", "competitor", "no_budget", "timing", "missing_feature")
DQ_REASONS = ("no_budget", "not_a_fit", "chose_competitor", "just_browsing", "wrong_contact")
TIERS = ("starter", "team", "business")
#: Monthly price per seat, in cents, per currency (USD, EUR, GBP, KZT).
SEAT_PRICE = np.array([
    [1_900, 1_800, 1_500, 890_000],
    [3_900, 3_600, 3_100, 1_790_000],
    [7_900, 7_200, 6_300, 3_590_000],
])  # fmt: skip


@dataclass
class _Funnel:
    """Calls, deals and stage history of the leads (plus the deals with no lead)."""

    lead_status: np.ndarray
    lead_dq_reason: np.ndarray  # code into DQ_REASONS + ('no_response', 'duplicate', 'test')
    call_lead: np.ndarray
    call_time: np.ndarray
    call_outcome: np.ndarray  # 0 connected, 1 no_answer, 2 busy, 3 voicemail
    call_duration: np.ndarray
    lead_email_lead: np.ndarray
    lead_email_time: np.ndarray
    deal_lead: np.ndarray  # lead number or -1; deals sorted by created_at
    deal_created: np.ndarray
    deal_owner: np.ndarray
    deal_pipeline: np.ndarray
    deal_country: np.ndarray
    deal_tier: np.ndarray
    deal_seats: np.ndarray
    deal_annual: np.ndarray
    deal_stage: np.ndarray
    deal_closed: np.ndarray  # -1 while open
    deal_won: np.ndarray  # 1 won, 0 lost, -1 open
    deal_lost_reason: np.ndarray
    deal_time_shape: np.ndarray
    hist_deal: np.ndarray
    hist_stage: np.ndarray
    hist_time: np.ndarray
    meet_deal: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    meet_time: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    meet_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))


LEAD_STATUSES = ("new", "in_progress", "qualified", "disqualified", "converted", "spam")
DQ_ALL = (*DQ_REASONS, "no_response", "duplicate", "test")


def _funnel(seed: int, leads: _Leads) -> _Funnel:
    """Calls (speed to lead), deals, their stage history, and every lead's status."""
    rng = _rng(seed, 2)
    n = leads.n
    valid = leads.kind == 0
    rep = np.maximum(leads.owner, 0)

    # --- calls on valid leads: first call after a rep-specific delay, retries until reached
    called = valid & (rng.random(n) < P_CALLED[rep])
    reached = called & (rng.random(n) < P_REACHED[rep])
    attempts = np.where(
        reached, 1 + _choice(rng, n, [0.6, 0.3, 0.1]), 1 + _choice(rng, n, [0.3, 0.4, 0.3])
    )
    # invalid leads: a duplicate is sometimes called once, spam rarely
    dup_call = (leads.kind == 3) & (rng.random(n) < 0.3)
    spam_call = (leads.kind == 1) & (leads.owner >= 0) & (rng.random(n) < 0.2)
    attempts = np.where(called, attempts, np.where(dup_call | spam_call, 1, 0))
    c_lead, c_pos = _group_positions(attempts)
    delay_min = _lognormal(rng, FIRST_CALL_MEDIAN_MIN[rep], FIRST_CALL_SIGMA[rep], n)
    gap = (
        np.where(
            c_pos == 0,
            delay_min[c_lead] * 60,
            _lognormal(rng, 4.0 * HOUR, 0.9, len(c_lead)),
        ).astype(np.int64)
        + 20
    )
    c_time = leads.created[c_lead] + _cumsum_in_groups(gap, attempts)
    last = c_pos == attempts[c_lead] - 1
    c_out = np.where(
        last & (reached[c_lead] | dup_call[c_lead]),
        0,
        1 + _choice(rng, len(c_lead), [0.6, 0.15, 0.25]),
    )
    c_dur = np.where(
        c_out == 0,
        np.clip(_lognormal(rng, 420.0, 0.7, len(c_lead)), 45, 3_600),
        np.where(c_out == 3, rng.integers(15, 45, len(c_lead)), 0),
    ).astype(np.int64)
    keep = c_time < END_S
    # the time each lead was reached (END_S when not yet)
    reached_at = np.full(n, END_S, dtype=np.int64)
    conn = keep & (c_out == 0) & valid[c_lead]
    reached_at[c_lead[conn]] = c_time[conn]
    reached_obs = reached_at < END_S
    ever_called = np.zeros(n, dtype=bool)
    ever_called[c_lead[keep]] = True

    # --- deals: from reached valid leads, by channel and rep
    ch = leads.channel
    p_deal = np.minimum(DEAL_RATE[ch] / REACHED_NORMAL, 0.95) * REP_DEAL_FACTOR[rep]
    deal_at = reached_at + _lognormal(rng, 1.0 * DAY, 0.8, n).astype(np.int64) + 600
    has_deal = reached_obs & (rng.random(n) < p_deal) & (deal_at < END_S)
    won = rng.random(n) < WIN_RATE[ch] * REP_WIN_FACTOR[rep]
    dl = np.flatnonzero(has_deal)
    # a few deals are created without a lead (inbound by phone to a rep, renewals of old
    # contracts, ...); they carry no lead_id
    n_free = max(1, round(0.002 * n))
    free_created = START_S + rng.integers(0, END_S - START_S - 5 * DAY, n_free)
    deal_lead = np.concatenate([dl, np.full(n_free, -1)])
    d_created = np.concatenate([deal_at[dl], free_created])
    d_owner = np.concatenate([leads.owner[dl], rng.integers(0, N_REPS, n_free)])
    d_country = np.concatenate(
        [leads.country[dl], _choice(rng, n_free, [c.weight for c in COUNTRIES])]
    )
    d_won = np.concatenate([won[dl], rng.random(n_free) < 0.5])
    order = np.argsort(d_created, kind="stable")
    deal_lead, d_created, d_owner, d_country, d_won = (
        a[order] for a in (deal_lead, d_created, d_owner, d_country, d_won)
    )
    nd = len(deal_lead)
    partner = np.zeros(nd, dtype=bool)
    partner[deal_lead >= 0] = ch[deal_lead[deal_lead >= 0]] == PARTNERS
    pipeline = np.where(rng.random(nd) < np.where(partner, 0.3, 0.18), 1, 0)
    pipeline = np.where(d_country == KZ, 2, pipeline)
    seats = np.where(
        pipeline == 1,
        np.minimum(4 + rng.geometric(0.08, nd), 80),
        np.minimum(rng.geometric(np.where(pipeline == 2, 0.25, 0.3)), 25),
    )
    tier = np.where(
        pipeline == 1, _choice(rng, nd, [0.1, 0.45, 0.45]), _choice(rng, nd, [0.4, 0.45, 0.15])
    )
    annual = rng.random(nd) < np.where(pipeline == 1, 0.35, 0.18)

    # --- stage path and timing
    cycle = _lognormal(rng, np.array([16.0, 30.0, 21.0])[pipeline] * DAY, 0.6, nd)
    cycle = np.where(d_won, cycle, cycle * 0.8).astype(np.int64) + 3 * HOUR
    close_t = d_created + cycle
    lost_at = _choice(rng, nd, [0.4, 0.4, 0.2])  # furthest open stage of a lost deal
    with_neg = np.where(d_won, rng.random(nd) < 0.7, lost_at >= 2)
    with_prop = np.where(d_won, True, lost_at >= 1)
    t_prop = d_created + (cycle * rng.uniform(0.15, 0.4, nd)).astype(np.int64)
    t_neg = d_created + (cycle * rng.uniform(0.55, 0.85, nd)).astype(np.int64)
    h_deal = np.concatenate([np.arange(nd)] * 4)
    h_stage = np.concatenate(
        [np.zeros(nd, np.int64), np.ones(nd, np.int64), np.full(nd, 2), np.where(d_won, 3, 4)]
    )
    h_time = np.concatenate([d_created, t_prop, t_neg, close_t])
    h_keep = np.concatenate([np.ones(nd, bool), with_prop, with_neg, np.ones(nd, bool)])
    h_keep &= h_time < END_S
    h_deal, h_stage, h_time = h_deal[h_keep], h_stage[h_keep], h_time[h_keep]
    o = np.lexsort((h_time, h_deal))
    h_deal, h_stage, h_time = h_deal[o], h_stage[o], h_time[o]
    stage = np.zeros(nd, dtype=np.int64)
    stage[h_deal] = h_stage  # last write per deal wins: its latest stage
    closed = close_t < END_S
    deal_won_flag = np.where(closed, d_won.astype(np.int64), -1)
    lost_reason = np.where(
        deal_won_flag == 0, _choice(rng, nd, [0.3, 0.25, 0.2, 0.1, 0.1, 0.05]), -1
    )

    # --- meetings (discovery call, demo) and e-mails on deals
    m_first = d_created + _lognormal(rng, 1.5 * DAY, 0.6, nd).astype(np.int64)
    m_second = t_prop + _lognormal(rng, 1.0 * DAY, 0.6, nd).astype(np.int64)
    e_deal = d_created + (cycle * rng.uniform(0.05, 0.95, nd)).astype(np.int64)
    meet_deal = np.concatenate([np.arange(nd), np.arange(nd), np.arange(nd)])
    meet_time = np.concatenate([m_first, m_second, e_deal])
    meet_kind = np.concatenate([np.zeros(nd, np.int8), np.zeros(nd, np.int8), np.ones(nd, np.int8)])
    meet_ok = np.concatenate(
        [
            m_first < close_t,
            with_prop & (m_second < close_t) & (rng.random(nd) < 0.6),
            rng.random(nd) < 0.7,
        ]
    ) & (meet_time < END_S)

    # --- lead status
    lead_won = np.zeros(n, dtype=bool)
    lead_deal = np.zeros(n, dtype=bool)
    has_lead = deal_lead >= 0
    lead_deal[deal_lead[has_lead]] = True
    lead_won[deal_lead[has_lead & (deal_won_flag == 1)]] = True
    recent = leads.created >= END_S - 14 * DAY
    u = rng.random(n)
    status = np.full(n, LEAD_STATUSES.index("new"))
    dq = np.full(n, -1)
    contacted_no_deal = valid & reached_obs & ~lead_deal
    status = np.where(contacted_no_deal, np.where(u < 0.08, 2, np.where(u < 0.3, 1, 3)), status)
    status = np.where(contacted_no_deal & recent & (status == 3), 1, status)
    dq = np.where(
        contacted_no_deal & (status == 3), _choice(rng, n, [0.25, 0.25, 0.15, 0.2, 0.15]), dq
    )
    tried = valid & ever_called & ~reached_obs
    status = np.where(tried, np.where((u < 0.4) | recent, 1, 3), status)
    dq = np.where(tried & (status == 3), DQ_ALL.index("no_response"), dq)
    status = np.where(lead_deal, np.where(lead_won, 4, 2), status)
    status = np.where(leads.kind == 1, 5, status)
    test = leads.kind == 2
    status = np.where(test, np.where(u < 0.5, 3, 0), status)
    dq = np.where(test & (status == 3), DQ_ALL.index("test"), dq)
    dups = leads.kind == 3
    status = np.where(dups, np.where(u < 0.75, 3, 0), status)
    dq = np.where(dups & (status == 3), DQ_ALL.index("duplicate"), dq)

    lead_email = valid & reached_obs & (rng.random(n) < 0.4)
    le_lead = np.flatnonzero(lead_email)
    le_time = reached_at[le_lead] + _lognormal(rng, 3.0 * HOUR, 0.7, len(le_lead)).astype(np.int64)
    le_ok = le_time < END_S
    return _Funnel(
        lead_status=status,
        lead_dq_reason=dq,
        call_lead=c_lead[keep],
        call_time=c_time[keep],
        call_outcome=c_out[keep],
        call_duration=c_dur[keep],
        lead_email_lead=le_lead[le_ok],
        lead_email_time=le_time[le_ok],
        deal_lead=deal_lead,
        deal_created=d_created,
        deal_owner=d_owner,
        deal_pipeline=pipeline,
        deal_country=d_country,
        deal_tier=tier,
        deal_seats=seats,
        deal_annual=annual,
        deal_stage=stage,
        deal_closed=np.where(closed, close_t, -1),
        deal_won=deal_won_flag,
        deal_lost_reason=lost_reason,
        deal_time_shape=np.where(rng.random(nd) < 0.01, 2, 0).astype(np.int8),
        hist_deal=h_deal,
        hist_stage=h_stage,
        hist_time=h_time,
        meet_deal=meet_deal[meet_ok],
        meet_time=meet_time[meet_ok],
        meet_kind=meet_kind[meet_ok],
    )


def _cumsum_in_groups(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sum of values within consecutive groups of the given sizes."""
    total = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    before = np.concatenate([[0], total])[starts]
    return total - np.repeat(before, counts)


# ----------------------------------------------------------------------------- activities

ACTIVITY_TYPES = ("call", "email", "meeting", "welcome_email", "onboarding_call",
                  "chatbot_onboarding", "support_ticket", "fax")  # fmt: skip
OUTCOMES = ("connected", "no_answer", "busy", "voicemail", "sent", "opened", "replied",
            "completed", "no_show", "resolved", "open")  # fmt: skip
