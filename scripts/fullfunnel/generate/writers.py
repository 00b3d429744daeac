"""Writers of the CRM, billing and finance files (and step 6, finance: FX rates and
non-ad marketing costs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.generate.billing import INV_STATUSES, PLANS, SUB_STATUSES, _Billing
from fullfunnel.generate.crm import (
    ACTIVITY_TYPES,
    DQ_ALL,
    LEAD_STATUSES,
    LOST_REASONS,
    OUTCOMES,
    PIPELINES,
    SEAT_PRICE,
    STAGES,
    _Funnel,
)
from fullfunnel.generate.dates import END_D, END_S, FX_START_DAY, MONTH_STARTS, N_MONTHS
from fullfunnel.generate.files import COLUMNS, _CsvWriter
from fullfunnel.generate.people import FORMS, _Leads, _scatter
from fullfunnel.generate.traffic import _Sessions, _Traffic, _visitor_ids
from fullfunnel.generate.values import (
    _date,
    _ids,
    _int,
    _money,
    _rng,
    _ts,
    _ts_variants,
    _with_nulls,
)
from fullfunnel.generate.world import COUNTRIES, COUNTRY_CURRENCY, CURRENCIES, USERS

# ----------------------------------------------------------------------------- CRM files


def _lead_utms(
    seed: int, leads: _Leads, journeys: _Sessions, last_of: np.ndarray, traffic: _Traffic
) -> dict[str, np.ndarray]:
    """UTM codes the form captured: the last session's (85% of leads with one), or the
    channel's UTMs for form-only leads (lead ads, call tracking), else none."""
    rng = _rng(seed, 7)
    n = leads.n
    out = {c: np.zeros(n, dtype=np.int32) for c in ("utm_source", "utm_medium", "utm_campaign")}
    has = (last_of >= 0) & (rng.random(n) < 0.85)
    li = np.flatnonzero(has)
    for c in out:
        out[c][li] = journeys.codes[c][last_of[li]]
    fi = np.flatnonzero(leads.form_utm)
    _, codes = traffic.draw(rng, leads.channel[fi], leads.created[fi])
    for c in out:
        out[c][fi] = codes[c]
    return out


def _write_crm(
    out: Path,
    seed: int,
    leads: _Leads,
    funnel: _Funnel,
    billing: _Billing,
    utm: dict[str, np.ndarray],
    traffic: _Traffic,
) -> dict[str, int]:
    """leads, deals, deal_stage_history, activities and users."""
    rng = _rng(seed, 8)
    n = leads.n
    counts: dict[str, int] = {}
    lead_ids = _ids("LD-", np.arange(1, n + 1), 7)
    reps = pa.array([u[0] for u in USERS])
    status = pa.array(LEAD_STATUSES).take(pa.array(funnel.lead_status))
    # a few statuses typed with a capital (closed lists match after lower-casing)
    caps = np.flatnonzero(rng.random(n) < 0.002)
    status = _scatter(status, caps, pc.utf8_capitalize(status.take(pa.array(caps))))
    data = {
        "lead_id": lead_ids,
        "created_at": _ts_variants(leads.created, leads.time_shape, np.zeros(n, np.int64)),
        "visitor_id": _with_nulls(_visitor_ids(np.maximum(leads.visitor, 0)), leads.visitor >= 0),
        "email": leads.email,
        "phone": leads.phone,
        "full_name": leads.full_name,
        "form": pa.array(FORMS).take(pa.array(leads.form)),
        **{c: traffic.pool.take(v) for c, v in utm.items()},
        "status": status,
        "owner_id": _with_nulls(reps.take(pa.array(np.maximum(leads.owner, 0))), leads.owner >= 0),
        "disqualified_reason": _with_nulls(
            pa.array(DQ_ALL).take(pa.array(np.maximum(funnel.lead_dq_reason, 0))),
            funnel.lead_dq_reason >= 0,
        ),
    }
    counts["crm/leads.csv"] = _write(out, "crm/leads.csv", data)

    nd = len(funnel.deal_lead)
    deal_ids = _ids("DL-", np.arange(1, nd + 1), 7)
    cur = COUNTRY_CURRENCY[funnel.deal_country]
    amount = (
        SEAT_PRICE[funnel.deal_tier, cur] * funnel.deal_seats * np.where(funnel.deal_annual, 10, 12)
    )
    closed = funnel.deal_closed >= 0
    data = {
        "deal_id": deal_ids,
        "lead_id": _with_nulls(
            lead_ids.take(pa.array(np.maximum(funnel.deal_lead, 0))), funnel.deal_lead >= 0
        ),
        "created_at": _ts_variants(
            funnel.deal_created, funnel.deal_time_shape, np.zeros(nd, np.int64)
        ),
        "owner_id": reps.take(pa.array(funnel.deal_owner)),
        "pipeline": pa.array(PIPELINES).take(pa.array(funnel.deal_pipeline)),
        "stage": pa.array(STAGES).take(pa.array(funnel.deal_stage)),
        "amount": _money(amount),
        "currency": pa.array(CURRENCIES).take(pa.array(cur)),
        "closed_at": _ts(np.maximum(funnel.deal_closed, 0), closed),
        "is_won": _with_nulls(
            pa.array(["false", "true"]).take(pa.array(np.maximum(funnel.deal_won, 0))), closed
        ),
        "lost_reason": _with_nulls(
            pa.array(LOST_REASONS).take(pa.array(np.maximum(funnel.deal_lost_reason, 0))),
            funnel.deal_lost_reason >= 0,
        ),
    }
    counts["crm/deals.csv"] = _write(out, "crm/deals.csv", data)
    counts["crm/deal_stage_history.csv"] = _write(
        out,
        "crm/deal_stage_history.csv",
        {
            "deal_id": deal_ids.take(pa.array(funnel.hist_deal)),
            "stage": pa.array(STAGES).take(pa.array(funnel.hist_stage)),
            "entered_at": _ts(funnel.hist_time),
        },
    )

    # activities: calls and e-mails on leads, meetings and e-mails on deals, post-sale
    nc = len(billing.cust_created)
    cust_ids = _ids("cst_", np.arange(1, nc + 1), 7)
    n_call, n_le, n_meet = len(funnel.call_lead), len(funnel.lead_email_lead), len(funnel.meet_deal)
    n_post = len(billing.act["cust"])
    lead_col = np.concatenate(
        [funnel.call_lead, funnel.lead_email_lead, np.full(n_meet + n_post, -1)]
    )
    deal_col = np.concatenate([np.full(n_call + n_le, -1), funnel.meet_deal, np.full(n_post, -1)])
    cust_col = np.concatenate([np.full(n_call + n_le + n_meet, -1), billing.act["cust"]])
    owner = np.concatenate(
        [
            leads.owner[funnel.call_lead],
            leads.owner[funnel.lead_email_lead],
            funnel.deal_owner[funnel.meet_deal],
            billing.act["owner"],
        ]
    )
    meet_type = np.where(funnel.meet_kind == 0, 2, 1)
    a_type = np.concatenate(
        [
            np.zeros(n_call, np.int64),
            np.ones(n_le, np.int64),
            meet_type,
            billing.act["type"],
        ]
    )
    a_time = np.concatenate(
        [funnel.call_time, funnel.lead_email_time, funnel.meet_time, billing.act["time"]]
    )
    meet_out = np.where(
        funnel.meet_kind == 0,
        np.where(rng.random(n_meet) < 0.88, OUTCOMES.index("completed"), OUTCOMES.index("no_show")),
        np.where(rng.random(n_meet) < 0.3, OUTCOMES.index("replied"), OUTCOMES.index("sent")),
    )
    outcome = np.concatenate(
        [
            funnel.call_outcome,
            np.full(n_le, OUTCOMES.index("sent")),
            meet_out,
            billing.act["outcome"],
        ]
    )
    meet_dur = np.where(funnel.meet_kind == 0, rng.integers(1_500, 3_600, n_meet), -1)
    duration = np.concatenate(
        [funnel.call_duration, np.full(n_le, -1), meet_dur, billing.act["duration"]]
    )
    # dirty: a couple of activities of a type nobody knows
    n_fax = max(1, round(0.0001 * len(a_time)))
    fax_src = np.sort(rng.choice(n_call, n_fax, replace=False)) if n_call >= n_fax else np.arange(0)
    lead_col, deal_col, cust_col, owner = (
        np.concatenate([a, a[fax_src]]) for a in (lead_col, deal_col, cust_col, owner)
    )
    a_type = np.concatenate([a_type, np.full(len(fax_src), ACTIVITY_TYPES.index("fax"))])
    a_time = np.concatenate([a_time, a_time[fax_src] + 600])
    outcome = np.concatenate([outcome, np.full(len(fax_src), OUTCOMES.index("sent"))])
    duration = np.concatenate([duration, np.full(len(fax_src), -1)])
    a_time = np.minimum(a_time, END_S - 1)
    o = np.argsort(a_time, kind="stable")
    na = len(o)
    counts["crm/activities.csv"] = _write(
        out,
        "crm/activities.csv",
        {
            "activity_id": _ids("ac-", np.arange(1, na + 1), 8),
            "lead_id": _with_nulls(
                lead_ids.take(pa.array(np.maximum(lead_col[o], 0))), lead_col[o] >= 0
            ),
            "deal_id": _with_nulls(
                deal_ids.take(pa.array(np.maximum(deal_col[o], 0))), deal_col[o] >= 0
            ),
            "customer_id": _with_nulls(
                cust_ids.take(pa.array(np.maximum(cust_col[o], 0))), cust_col[o] >= 0
            ),
            "owner_id": _with_nulls(reps.take(pa.array(np.maximum(owner[o], 0))), owner[o] >= 0),
            "type": pa.array(ACTIVITY_TYPES).take(pa.array(a_type[o])),
            "started_at": _ts(a_time[o]),
            "duration_seconds": _int(np.maximum(duration[o], 0), duration[o] >= 0),
            "outcome": pa.array(OUTCOMES).take(pa.array(outcome[o])),
        },
    )
    counts["_fax"] = len(fax_src)
    counts["crm/users.csv"] = _write(
        out,
        "crm/users.csv",
        {col: pa.array([u[i] for u in USERS]) for i, col in enumerate(COLUMNS["crm/users.csv"])},
    )
    return counts


def _write(out: Path, relpath: str, data: dict[str, pa.Array]) -> int:
    w = _CsvWriter(out / relpath, COLUMNS[relpath])
    w.write(data)
    return w.close()


def _write_billing(out: Path, funnel: _Funnel, billing: _Billing) -> dict[str, int]:
    """customers, subscriptions, invoices and refunds."""
    counts: dict[str, int] = {}
    nc = len(billing.cust_created)
    cust_ids = _ids("cst_", np.arange(1, nc + 1), 7)
    deal_ids = _ids("DL-", np.maximum(billing.cust_deal, 0) + 1, 7)
    counts["billing/customers.csv"] = _write(
        out,
        "billing/customers.csv",
        {
            "customer_id": cust_ids,
            "created_at": _ts(billing.cust_created),
            "email": billing.cust_email,
            "crm_deal_id": _with_nulls(deal_ids, billing.cust_deal >= 0),
            "country": pa.array([c.code for c in COUNTRIES]).take(pa.array(billing.cust_country)),
        },
    )
    ns = len(billing.sub_cust)
    sub_ids = _ids("sb-", np.arange(1, ns + 1), 7)
    counts["billing/subscriptions.csv"] = _write(
        out,
        "billing/subscriptions.csv",
        {
            "subscription_id": sub_ids,
            "customer_id": cust_ids.take(pa.array(billing.sub_cust)),
            "plan_id": pa.array(PLANS).take(pa.array(billing.sub_plan)),
            "status": pa.array(SUB_STATUSES).take(pa.array(billing.sub_status)),
            "started_at": _ts(billing.sub_start),
            "canceled_at": _ts(np.maximum(billing.sub_canceled, 0), billing.sub_canceled >= 0),
            "billing_interval": pa.array(["month", "year"]).take(
                pa.array(billing.sub_annual.astype(np.int64))
            ),
            "currency": pa.array(CURRENCIES).take(pa.array(billing.sub_currency)),
        },
    )
    inv = billing.inv
    ni = len(inv["cust"])
    inv_ids = _ids("in-", np.arange(1, ni + 1), 8)
    has_period = inv["p_start"] >= 0
    counts["billing/invoices.csv"] = _write(
        out,
        "billing/invoices.csv",
        {
            "invoice_id": inv_ids,
            "customer_id": cust_ids.take(pa.array(inv["cust"])),
            "subscription_id": _with_nulls(
                sub_ids.take(pa.array(np.maximum(inv["sub"], 0))), inv["sub"] >= 0
            ),
            "issued_at": _ts(inv["issued"]),
            "period_start": _date(np.maximum(inv["p_start"], 0), has_period),
            "period_end": _date(np.maximum(inv["p_end"], 0), has_period),
            "amount": _money(inv["amount"]),
            "tax": _money(inv["tax"]),
            "currency": pa.array([*CURRENCIES, "XYZ"]).take(pa.array(inv["currency"])),
            "status": pa.array(INV_STATUSES).take(pa.array(inv["status"])),
            "paid_at": _ts(np.maximum(inv["paid"], 0), inv["paid"] >= 0),
        },
    )
    ref = billing.ref
    nr = len(ref["invoice"])
    counts["billing/refunds.csv"] = _write(
        out,
        "billing/refunds.csv",
        {
            "refund_id": _ids("rf-", np.arange(1, nr + 1), 6),
            "invoice_id": inv_ids.take(pa.array(ref["invoice"])),
            "refunded_at": _ts(ref["at"]),
            "amount": _money(ref["amount"]),
            "currency": pa.array([*CURRENCIES, "XYZ"]).take(pa.array(ref["currency"])),
        },
    )
    return counts


# ----------------------------------------------------------------------------- finance

HOLIDAYS = ("2025-12-25", "2025-12-26", "2026-01-01", "2026-01-02", "2026-04-03", "2026-04-06",
            "2026-05-01")  # fmt: skip
#: Per currency: start, long-run mean, daily log volatility, clip range, decimals.
FX = (
    ("EUR", 1.165, 1.13, 0.0035, (1.08, 1.18), 4),
    ("GBP", 1.345, 1.31, 0.0030, (1.25, 1.36), 4),
    ("KZT", 0.00196, 0.00205, 0.0040, (0.0019, 0.0022), 7),
)


def _write_finance(out: Path, seed: int, scale: float) -> dict[str, int]:
    """fx_rates (business days from 2025-07-25) and marketing_costs (monthly)."""
    rng = _rng(seed, 9)
    days = np.arange(int(FX_START_DAY.astype(np.int64)), END_D + 1)
    holidays = np.array([np.datetime64(h, "D").astype(np.int64) for h in HOLIDAYS])
    days = days[((days + 3) % 7 < 5) & ~np.isin(days, holidays)]
    f_date, f_cur, f_rate = [], [], []
    for cur, start, mean, vol, (lo, hi), dp in FX:
        x = np.empty(len(days))
        level = np.log(start)
        shocks = rng.normal(0, vol, len(days))
        for i in range(len(days)):  # a loop over ~330 days: the AR(1) walk is sequential
            level = np.log(mean) + 0.99 * (level - np.log(mean)) + shocks[i]
            level = float(np.clip(level, np.log(lo), np.log(hi)))
            x[i] = np.exp(level)
        f_date.append(days)
        f_cur.extend([cur] * len(days))
        f_rate.extend(f"{v:.{dp}f}" for v in x)
    fd = np.concatenate(f_date)
    o = np.lexsort((np.array([CURRENCIES.index(c) for c in f_cur]), fd))
    counts = {
        "finance/fx_rates.csv": _write(
            out,
            "finance/fx_rates.csv",
            {
                "date": _date(fd[o]),
                "currency": pa.array(f_cur).take(pa.array(o)),
                "rate": pa.array(f_rate).take(pa.array(o)),
            },
        )
    }
    # marketing costs: shared salaries and tools, agency fees, content, commissions
    costs: list[tuple[str | None, str, str, float]] = [
        (None, "salaries", "USD", 16_500), (None, "tools", "EUR", 1_350),
        ("google_search", "agency", "USD", 1_800), ("meta_social", "agency", "EUR", 1_200),
        ("yandex_search", "agency", "KZT", 420_000), ("email", "tools", "USD", 380),
        ("email", "content", "GBP", 650), ("organic_social", "content", "USD", 700),
        ("organic_search", "content", "USD", 1_100), ("partners", "other", "USD", 900),
    ]  # fmt: skip
    event_months = {9, 10, 11, 2, 3, 4, 5, 6}
    rows: list[tuple[int, str | None, str, int, str]] = []
    for m in range(N_MONTHS):
        moy = (
            int(MONTH_STARTS[m].astype("datetime64[D]").astype("datetime64[M]").astype(int)) % 12
            + 1
        )
        grow = 1 + 0.02 * m
        month_costs = [*costs]
        if moy in event_months:
            month_costs.append(("events", "content", "EUR", 2_200))
        if moy in (11, 3):
            month_costs.append((None, "other", "GBP", 400))  # PR
        noise = rng.uniform(0.9, 1.1, len(month_costs))
        for (ch, kind, cur, amount), z in zip(month_costs, noise, strict=True):
            g = grow if kind in ("salaries", "agency") else 1.0
            rows.append((m, ch, kind, round(amount * g * z * scale * 100), cur))
    counts["finance/marketing_costs.csv"] = _write(
        out,
        "finance/marketing_costs.csv",
        {
            "month": _date(np.array([MONTH_STARTS[r[0]] for r in rows])),
            "channel": pa.array([r[1] for r in rows], pa.string()),
            "cost_type": pa.array([r[2] for r in rows]),
            "amount": _money(np.array([r[3] for r in rows])),
            "currency": pa.array([r[4] for r in rows]),
        },
    )
    return counts
