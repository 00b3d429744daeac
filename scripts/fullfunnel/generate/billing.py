"""Step 3, billing: customers, subscriptions, invoices, refunds; churn by onboarding."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.generate.crm import ACTIVITY_TYPES, OUTCOMES, SEAT_PRICE, _Funnel
from fullfunnel.generate.dates import DAY, END_D, END_S, HOUR, N_MONTHS
from fullfunnel.generate.people import _Leads, _month_weights, _people, _times_in_months
from fullfunnel.generate.values import _add_months, _choice, _group_positions, _rng
from fullfunnel.generate.world import (
    ACCOUNT_MANAGERS,
    COUNTRIES,
    COUNTRY_CURRENCY,
    COUNTRY_TAX,
    CURRENCIES,
)

# ----------------------------------------------------------------------------- billing


@dataclass
class _Billing:
    """Customers (sorted by created_at), subscriptions, invoices, refunds, onboarding."""

    cust_created: np.ndarray
    cust_deal: np.ndarray  # deal number or -1
    cust_country: np.ndarray
    cust_email: pa.Array
    cust_onboarded: np.ndarray
    sub_cust: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_plan: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_annual: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    sub_status: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_canceled: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sub_currency: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    inv: dict[str, np.ndarray] = field(default_factory=dict)
    ref: dict[str, np.ndarray] = field(default_factory=dict)
    act: dict[str, np.ndarray] = field(default_factory=dict)


SUB_STATUSES = ("trialing", "active", "past_due", "canceled")
INV_STATUSES = ("draft", "open", "paid", "void", "uncollectible")
#: Monthly churn hazard: first three months, then later; onboarding multiplies it by 0.7.
CHURN_EARLY, CHURN_LATE, ANNUAL_CHURN = 0.07, 0.035, 0.28
ONBOARDING_EFFECT = 0.7
K_MONTHLY = N_MONTHS + 2


def _billing(seed: int, leads: _Leads, funnel: _Funnel) -> _Billing:
    """Customers of won deals (and self-serve ones) and everything they are billed."""
    rng = _rng(seed, 3)
    # --- customers
    won = np.flatnonzero(funnel.deal_won == 1)
    c_created = funnel.deal_closed[won] + rng.integers(600, 2 * DAY, len(won))
    ok = c_created < END_S
    won, c_created = won[ok], c_created[ok]
    n_self = max(1, round(0.0085 * leads.n))
    w = _month_weights()
    s_month = np.repeat(np.arange(N_MONTHS), rng.multinomial(n_self, w / w.sum()))
    s_country = _choice(rng, n_self, [c.weight for c in COUNTRIES])
    offsets = np.array([c.utc_offset for c in COUNTRIES])
    s_created = _times_in_months(rng, s_month, offsets[s_country])
    c_deal = np.concatenate([won, np.full(n_self, -1)])
    created = np.concatenate([c_created, s_created])
    country = np.concatenate([funnel.deal_country[won], s_country])
    tier = np.concatenate([funnel.deal_tier[won], _choice(rng, n_self, [0.6, 0.4, 0.0])])
    seats = np.concatenate([funnel.deal_seats[won], np.minimum(rng.geometric(0.5, n_self), 5)])
    annual = np.concatenate([funnel.deal_annual[won], rng.random(n_self) < 0.1])
    # e-mail: the lead's, normalised; deals without a lead and self-serve get a new one
    lead_of = np.where(c_deal >= 0, funnel.deal_lead[np.maximum(c_deal, 0)], -1)
    _, fresh_email, _, _ = _people(rng, country, 5_000_000 + np.arange(len(country)))
    lead_email = pc.utf8_lower(
        pc.utf8_trim_whitespace(leads.email.take(pa.array(np.maximum(lead_of, 0))))
    )
    email = pc.if_else(pa.array(lead_of >= 0), lead_email, fresh_email)
    order = np.argsort(created, kind="stable")
    created, c_deal, country, tier, seats, annual = (
        a[order] for a in (created, c_deal, country, tier, seats, annual)
    )
    email = email.take(pa.array(order))
    nc = len(created)
    onboarded = rng.random(nc) < 0.6
    self_serve = c_deal < 0
    b = _Billing(created, c_deal, country, email, onboarded)
    currency = COUNTRY_CURRENCY[country]

    # --- first subscriptions (a few self-serve and sales ones start with a $0 trial)
    trial = rng.random(nc) < np.where(self_serve, 0.5, 0.06)
    trial_end = created + 14 * DAY
    trial_churn = trial & (rng.random(nc) < 0.2)
    hazard_mult = np.where(onboarded, ONBOARDING_EFFECT, 1.0) * np.where(self_serve, 1.15, 1.0)
    paid_start = np.where(trial, trial_end, created + rng.integers(5, 1_800, nc))
    by_transfer = rng.random(nc) < 0.15
    subs1 = _simulate_subs(
        rng,
        cust=np.arange(nc),
        start=paid_start,
        tier=tier,
        seats=seats,
        annual=annual,
        currency=currency,
        hazard=hazard_mult,
        by_transfer=by_transfer,
        skip_paid=trial_churn,
    )
    # --- reactivations: some churned customers come back after 35-120 days
    churned = subs1["churned_after"]  # next renewal day (no invoice), -1
    cand = (churned >= 0) & (churned * DAY < END_S - 45 * DAY) & ~trial_churn
    react = cand & (rng.random(nc) < 0.15)
    r_start = churned * DAY + rng.integers(35 * DAY, 120 * DAY, nc) + rng.integers(0, DAY, nc)
    react &= r_start < END_S - DAY
    ri = np.flatnonzero(react)
    subs2 = _simulate_subs(
        rng,
        cust=ri,
        start=r_start[ri],
        tier=_choice(rng, len(ri), [0.3, 0.5, 0.2]),
        seats=np.maximum(1, seats[ri] + rng.integers(-1, 2, len(ri))),
        annual=np.zeros(len(ri), bool),
        currency=currency[ri],
        hazard=hazard_mult[ri],
        by_transfer=by_transfer[ri],
        skip_paid=np.zeros(len(ri), bool),
    )

    # --- subscriptions table: trial info overrides the first subscription's start/status
    s1_start = np.where(trial, created, subs1["start"])
    s1_status = subs1["status"].copy()
    s1_cancel = subs1["canceled"].copy()
    in_trial = trial & (trial_end >= END_S)
    s1_status = np.where(in_trial, 0, s1_status)
    tc_at = created + rng.integers(3 * DAY, 14 * DAY, nc)
    s1_status = np.where(trial_churn & ~in_trial, 3, s1_status)
    s1_cancel = np.where(trial_churn & ~in_trial & (tc_at < END_S), tc_at, s1_cancel)
    s1_status = np.where(trial_churn & (tc_at >= END_S) & ~in_trial, 1, s1_status)
    sub_cust = np.concatenate([np.arange(nc), ri])
    sub_start = np.concatenate([s1_start, subs2["start"]])
    sub_order = np.argsort(sub_start, kind="stable")
    sub_number = np.empty(len(sub_order), dtype=np.int64)
    sub_number[sub_order] = np.arange(len(sub_order))
    b.sub_cust = sub_cust[sub_order]
    b.sub_start = sub_start[sub_order]
    b.sub_plan = np.concatenate([subs1["tier0"], subs2["tier0"]])[sub_order]
    b.sub_annual = np.concatenate([annual, np.zeros(len(ri), bool)])[sub_order]
    b.sub_status = np.concatenate([s1_status, subs2["status"]])[sub_order]
    b.sub_canceled = np.concatenate([s1_cancel, subs2["canceled"]])[sub_order]
    b.sub_currency = currency[b.sub_cust]

    # --- invoices: subscription periods, trials, setup fees, void + reissue, drafts, XYZ
    inv_parts = []
    for part, sub_offset in ((subs1["inv"], 0), (subs2["inv"], nc)):
        inv_parts.append(
            {
                "cust": part["cust"],
                "sub": sub_number[part["sub"] + sub_offset],
                "issued": part["issued"],
                "p_start": part["p_start"],
                "p_end": part["p_end"],
                "amount": part["amount"],
                "status": part["status"],
                "paid": part["paid"],
            }
        )
    ti = np.flatnonzero(trial)
    inv_parts.append(
        {
            "cust": ti,
            "sub": sub_number[ti],
            "issued": created[ti],
            "p_start": created[ti] // DAY,
            "p_end": created[ti] // DAY + 14,
            "amount": np.zeros(len(ti), np.int64),
            "status": np.full(len(ti), 2),
            "paid": created[ti] + 3,
        }
    )
    setup = np.flatnonzero((rng.random(nc) < 0.06) & ~self_serve)
    s_issued = created[setup] + rng.integers(HOUR, 2 * DAY, len(setup))
    setup = setup[s_issued < END_S]
    s_issued = s_issued[s_issued < END_S]
    setup_fee = np.array([24_900, 22_900, 19_900, 12_000_000])
    inv_parts.append(
        {
            "cust": setup,
            "sub": np.full(len(setup), -1),
            "issued": s_issued,
            "p_start": np.full(len(setup), -1),
            "p_end": np.full(len(setup), -1),
            "amount": setup_fee[currency[setup]],
            "status": np.full(len(setup), 2),
            "paid": s_issued + rng.integers(60, 3 * DAY, len(setup)),
        }
    )
    inv = {k: np.concatenate([p[k] for p in inv_parts]) for k in inv_parts[0]}
    inv["paid"] = np.where(inv["paid"] < END_S, inv["paid"], -1)
    inv["status"] = np.where((inv["status"] == 2) & (inv["paid"] < 0), 1, inv["status"])
    # void + reissue: the first invoice was wrong (seats), voided, the right one sent later
    cand = np.flatnonzero(
        (inv["sub"] >= 0) & (inv["amount"] > 0) & (inv["issued"] < END_S - 4 * DAY)
    )
    voided = cand[rng.random(len(cand)) < 0.01]
    shift = rng.integers(2 * HOUR, 3 * DAY, len(voided))
    void = {k: v[voided].copy() for k, v in inv.items()}
    void["amount"] = (void["amount"] * rng.uniform(1.1, 1.5, len(voided))).astype(np.int64)
    void["status"] = np.full(len(voided), 3)
    void["paid"] = np.full(len(voided), -1)
    inv["issued"][voided] += shift
    inv["paid"][voided] = np.where(inv["paid"][voided] >= 0, inv["paid"][voided] + shift, -1)
    late = inv["paid"] >= END_S
    inv["paid"][late] = -1
    inv["status"][late] = 1
    # drafts: next month's invoice of a few active monthly subscriptions, prepared on the last day
    draft = {k: np.zeros(0, np.int64) for k in inv}
    nxt = subs1["next_start"]
    dcand = np.flatnonzero((nxt >= END_D + 1) & (nxt <= END_D + 4) & (subs1["status"] == 1))
    dsel = dcand[rng.random(len(dcand)) < 0.15]
    if len(dsel):
        draft = {
            "cust": dsel,
            "sub": sub_number[dsel],
            "issued": END_S - rng.integers(HOUR, 20 * HOUR, len(dsel)),
            "p_start": nxt[dsel],
            "p_end": _add_months(nxt[dsel], np.ones(len(dsel), np.int64)),
            "amount": subs1["last_amount"][dsel],
            "status": np.zeros(len(dsel), np.int64),
            "paid": np.full(len(dsel), -1),
        }
    # dirty: one-time invoices in an unknown currency
    n_xyz = max(1, round(0.00015 * len(inv["cust"])))
    xc = np.sort(rng.choice(nc, n_xyz, replace=False))
    x_issued = np.minimum(created[xc] + rng.integers(DAY, 20 * DAY, n_xyz), END_S - HOUR)
    xyz = {
        "cust": xc,
        "sub": np.full(n_xyz, -1),
        "issued": x_issued,
        "p_start": np.full(n_xyz, -1),
        "p_end": np.full(n_xyz, -1),
        "amount": np.full(n_xyz, 10_000),
        "status": np.full(n_xyz, 2),
        "paid": x_issued + 120,
    }
    cur = np.concatenate(
        [
            currency[inv["cust"]],
            currency[void["cust"]],
            currency[draft["cust"]],
            np.full(n_xyz, len(CURRENCIES)),
        ]
    )
    inv = {k: np.concatenate([inv[k], void[k], draft[k], xyz[k]]) for k in inv}
    inv["currency"] = cur
    inv["tax"] = np.round(
        inv["amount"] * np.where(cur < len(CURRENCIES), COUNTRY_TAX[country[inv["cust"]]], 0)
    ).astype(np.int64)
    io = np.argsort(inv["issued"], kind="stable")
    b.inv = {k: v[io] for k, v in inv.items()}
    b.inv["n_xyz"] = np.array([n_xyz])

    # --- refunds: ~2% of paid invoices, partial or full, in the invoice's currency
    paid_idx = np.flatnonzero(
        (b.inv["status"] == 2) & (b.inv["amount"] > 0) & (b.inv["currency"] < len(CURRENCIES))
    )
    r = paid_idx[rng.random(len(paid_idx)) < 0.02]
    r_at = b.inv["paid"][r] + rng.integers(HOUR, 20 * DAY, len(r))
    r, r_at = r[r_at < END_S], r_at[r_at < END_S]
    full = rng.random(len(r)) < 0.45
    r_amount = np.where(
        full,
        b.inv["amount"][r],
        (b.inv["amount"][r] * rng.uniform(0.2, 0.8, len(r))).astype(np.int64),
    )
    ro = np.argsort(r_at, kind="stable")
    b.ref = {
        "invoice": r[ro],
        "at": r_at[ro],
        "amount": r_amount[ro],
        "currency": b.inv["currency"][r[ro]],
    }

    # --- onboarding and support activities of customers
    a_cust, a_type, a_time, a_owner, a_out, a_dur = [], [], [], [], [], []
    pick = rng.random((nc, 3)) < np.array([0.75, 0.45, 0.40])
    pick[:, 0] |= ~pick.any(axis=1)
    pick &= onboarded[:, None]
    offsets_s = (
        rng.integers(10 * 60, DAY, nc),
        rng.integers(DAY, 14 * DAY, nc),
        rng.integers(HOUR, 10 * DAY, nc),
    )
    kinds = ("welcome_email", "onboarding_call", "chatbot_onboarding")
    for j, kind in enumerate(kinds):
        ci = np.flatnonzero(pick[:, j])
        a_cust.append(ci)
        a_type.append(np.full(len(ci), ACTIVITY_TYPES.index(kind)))
        a_time.append(created[ci] + offsets_s[j][ci])
        if kind == "onboarding_call":
            a_owner.append(np.array(ACCOUNT_MANAGERS)[rng.integers(0, 2, len(ci))])
            a_dur.append(rng.integers(1_200, 3_600, len(ci)))
            a_out.append(np.full(len(ci), OUTCOMES.index("completed")))
        else:
            a_owner.append(np.full(len(ci), -1))
            a_dur.append(np.full(len(ci), -1))
            a_out.append(
                np.full(len(ci), OUTCOMES.index("completed"))
                if kind == "chatbot_onboarding"
                else np.where(
                    rng.random(len(ci)) < 0.6, OUTCOMES.index("opened"), OUTCOMES.index("sent")
                )
            )
    tickets = rng.poisson(0.35, nc)
    t_cust, _ = _group_positions(tickets)
    a_cust.append(t_cust)
    a_type.append(np.full(len(t_cust), ACTIVITY_TYPES.index("support_ticket")))
    a_time.append(created[t_cust] + rng.integers(DAY, 200 * DAY, len(t_cust)))
    a_owner.append(np.array(ACCOUNT_MANAGERS)[rng.integers(0, 2, len(t_cust))])
    a_dur.append(np.full(len(t_cust), -1))
    a_out.append(
        np.where(rng.random(len(t_cust)) < 0.9, OUTCOMES.index("resolved"), OUTCOMES.index("open"))
    )
    act = {
        "cust": np.concatenate(a_cust),
        "type": np.concatenate(a_type),
        "time": np.concatenate(a_time),
        "owner": np.concatenate(a_owner),
        "outcome": np.concatenate(a_out),
        "duration": np.concatenate(a_dur),
    }
    keep = act["time"] < END_S
    b.act = {k: v[keep] for k, v in act.items()}
    return b


def _simulate_subs(
    rng: np.random.Generator,
    *,
    cust: np.ndarray,
    start: np.ndarray,
    tier: np.ndarray,
    seats: np.ndarray,
    annual: np.ndarray,
    currency: np.ndarray,
    hazard: np.ndarray,
    by_transfer: np.ndarray,
    skip_paid: np.ndarray,
) -> dict:
    """Billing periods of a batch of subscriptions, vectorised over (subscription, period).

    Monthly plans renew every month, annual ones every 12 months, anchored on the start
    day (so each period starts where the last ended). Churn is decided at each renewal
    with the monthly hazard (higher in the first three months) times `hazard`; seats and
    tier move at renewals (expansion and contraction). Returns the invoices and, per
    subscription, status, canceled_at, the day of the renewal that did not happen
    (churned_after, -1), the next renewal day and the last amount."""
    s = len(cust)
    k_max = K_MONTHLY
    step = np.where(annual, 12, 1)
    ks = np.arange(k_max)
    start_day = start // DAY
    tod = start % DAY
    p_start = _add_months(np.repeat(start_day, k_max), (ks[None, :] * step[:, None]).ravel())
    p_start = p_start.reshape(s, k_max)
    p_end = _add_months(np.repeat(start_day, k_max), ((ks[None, :] + 1) * step[:, None]).ravel())
    p_end = p_end.reshape(s, k_max)
    h = np.where(ks[None, :] < 3, CHURN_EARLY, CHURN_LATE) * hazard[:, None]
    h = np.where(annual[:, None], ANNUAL_CHURN * hazard[:, None], h)
    churn_here = rng.random((s, k_max)) < h
    n_paid = np.where(churn_here.any(axis=1), churn_here.argmax(axis=1) + 1, k_max)
    n_paid = np.where(skip_paid, 0, n_paid)
    issued = p_start * DAY + tod[:, None]
    issued[:, 0] = start
    exists = (ks[None, :] < n_paid[:, None]) & (issued < END_S)
    # seats and tier at each renewal
    u = rng.random((s, k_max))
    delta = np.where(
        u < 0.035,
        rng.integers(1, 4, (s, k_max)),
        np.where(u < 0.055, -rng.integers(1, 3, (s, k_max)), 0),
    )
    delta[:, 0] = 0
    seat_k = np.maximum(1, seats[:, None] + np.cumsum(delta, axis=1))
    up = rng.random((s, k_max)) < 0.012
    up[:, 0] = False
    tier_k = np.minimum(2, tier[:, None] + np.cumsum(up, axis=1))
    price = SEAT_PRICE[tier_k, currency[:, None]] * seat_k * np.where(annual, 10, 1)[:, None]
    # payment: card within minutes, bank transfer within days (may cross the month)
    delay = np.where(
        by_transfer[:, None],
        rng.integers(DAY, 25 * DAY, (s, k_max)),
        rng.integers(20, 900, (s, k_max)),
    )
    paid = issued + delay
    status = np.full((s, k_max), 2)
    # the last invoice of a churned subscription is sometimes never paid
    n_exist = exists.sum(axis=1)
    churned_obs = (n_paid < k_max) & (n_exist == n_paid) & (n_paid > 0)
    uncollect = churned_obs & (rng.random(s) < 0.12)
    last_k = np.maximum(n_exist - 1, 0)
    rows = np.arange(s)
    status[rows[uncollect], last_k[uncollect]] = 4
    paid = np.where(status == 4, -1, paid)
    status = np.where((status == 2) & (paid >= END_S), 1, status)
    paid = np.where(paid >= END_S, -1, paid)

    # subscription outcome
    last_start = p_start[rows, last_k]
    last_end = p_end[rows, last_k]
    next_renewal = np.where(n_exist > 0, last_end, start_day)
    cancel_at = last_start * DAY + (
        (last_end - last_start) * DAY * rng.uniform(0.2, 0.95, s)
    ).astype(np.int64)
    cancel_at = np.where(
        uncollect, issued[rows, last_k] + rng.integers(21 * DAY, 30 * DAY, s), cancel_at
    )
    sub_status = np.ones(s, dtype=np.int64)  # active
    canceled = np.full(s, -1, dtype=np.int64)
    is_cancel = churned_obs & (cancel_at < END_S)
    sub_status[is_cancel] = 3
    canceled[is_cancel] = cancel_at[is_cancel]
    last_open = (
        (n_exist > 0) & (status[rows, last_k] == 1) & (issued[rows, last_k] < END_S - 7 * DAY)
    )
    sub_status[~is_cancel & last_open] = 2
    sub_status[~is_cancel & uncollect] = 2
    churned_after = np.where(churned_obs, next_renewal, -1)

    si, ki = np.nonzero(exists)
    return {
        "start": start,
        "tier0": tier * 2 + annual.astype(np.int64),  # plan code: tier, monthly / annual
        "status": sub_status,
        "canceled": canceled,
        "churned_after": churned_after,
        "next_start": np.where(n_paid > n_exist, next_renewal, -1),
        "last_amount": price[rows, last_k],
        "inv": {
            "cust": cust[si],
            "sub": si,
            "issued": issued[si, ki],
            "p_start": p_start[si, ki],
            "p_end": p_end[si, ki],
            "amount": price[si, ki],
            "status": status[si, ki],
            "paid": paid[si, ki],
        },
    }


PLANS = ("starter", "starter_annual", "team", "team_annual", "business", "business_annual")
