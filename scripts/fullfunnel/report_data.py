"""The data the one-page report shows beyond the snapshot's tables, queried from the
warehouse (aggregated in DuckDB; only a few hundred values come back). `fullfunnel
snapshot` calls it and hands the result to `fullfunnel.report`, which renders what it is
given and never queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb


def _has_leads(row: dict[str, Any]) -> bool:
    """A channel with leads credited under at least one of the report's models."""
    return any(v["leads"] for k, v in row.items() if k != "channel")


def collect_report_data(
    con: duckdb.DuckDBPyConnection, month: date, build: dict[str, Any], kpi_long_sql: str
) -> dict[str, Any]:
    """The report's extra data: 12-month KPI trends, funnel totals and cohort retention."""
    params = {"month": month}
    trend_rows = con.sql(
        f"""
        with long as ({kpi_long_sql})
        select kpi, month, value from long
        where month between cast($month - interval 11 month as date) and $month
        order by kpi, month
        """,
        params=params,
    ).fetchall()
    trends: dict[str, list[tuple[date, float | None]]] = {}
    for kpi, month, value in trend_rows:
        trends.setdefault(kpi, []).append((month, value))

    funnel = con.sql(
        """
        select
            coalesce(sum(qualified_leads), 0) as qualified_leads,
            coalesce(sum(deals), 0) as deals,
            coalesce(sum(won_leads), 0) as won_leads
        from marts.mart_marketing_monthly
        where month = $month
        """,
        params=params,
    ).fetchall()[0]

    cohorts = con.sql(
        """
        with first_mrr as (
            select customer_id, min(month) as acquisition_month
            from marts.fct_mrr_monthly
            where mrr > 0
            group by customer_id
        ),

        cohorts as (
            select acquisition_month, count(*) as customers
            from first_mrr
            where acquisition_month between cast($month - interval 11 month as date) and $month
            group by acquisition_month
        ),

        active as (
            select
                first_mrr.acquisition_month,
                date_diff('month', first_mrr.acquisition_month, mrr.month) as months_since,
                count(*) as active_customers
            from marts.fct_mrr_monthly as mrr
            inner join first_mrr on mrr.customer_id = first_mrr.customer_id
            where mrr.mrr > 0 and mrr.month <= $month
            group by all
        )

        select
            cohorts.acquisition_month,
            cohorts.customers,
            list(
                {'k': active.months_since, 'n': active.active_customers}
                order by active.months_since
            ) filter (where active.months_since is not null) as active
        from cohorts
        left join active on cohorts.acquisition_month = active.acquisition_month
        group by all
        order by cohorts.acquisition_month
        """,
        params=params,
    ).fetchall()
    cohort_rows = []
    for acquisition_month, customers, active in cohorts:
        span = (month.year - acquisition_month.year) * 12 + (month.month - acquisition_month.month)
        counts = {item["k"]: item["n"] for item in active or []}
        cohort_rows.append(
            {
                "month": acquisition_month,
                "customers": customers,
                "retention": [counts.get(k, 0) / customers for k in range(span + 1)],
            }
        )
    # the month's leads and new customers credited under last touch, the build's model and
    # markov, with the CPL and CAC they give (marts.mart_attribution_comparison)
    chosen_model = str(build.get("attribution_model") or "last_touch")
    attribution = con.sql(
        """
        select channel, attribution_model, leads, cpl, cac
        from marts.mart_attribution_comparison
        where month = $month and attribution_model in ('last_touch', $model, 'markov')
        order by channel, attribution_model
        """,
        params={"month": month, "model": chosen_model},
    ).fetchall()
    attribution_rows: dict[str, dict[str, Any]] = {}
    for channel, model, leads, cpl, cac in attribution:
        row = attribution_rows.setdefault(channel, {"channel": channel})
        row[model] = {"leads": leads, "cpl": cpl, "cac": cac}

    pipeline = con.sql(
        """
        select
            stage,
            sum(open_deals) as open_deals,
            sum(open_amount) as open_amount,
            sum(expected_wins) as expected_wins,
            sum(weighted_amount) as weighted_amount,
            max(stage_win_probability) as stage_win_probability,
            max(as_of_date) as as_of_date
        from marts.mart_pipeline
        group by stage
        order by expected_wins desc nulls last, stage
        """
    ).fetchall()
    pipeline_columns = (
        "stage",
        "open_deals",
        "open_amount",
        "expected_wins",
        "weighted_amount",
        "stage_win_probability",
        "as_of_date",
    )

    # the reps over the three lead months ending with the latest month mature for 90 days:
    # younger cohorts are still being won, so their index says little yet
    reps_rel = con.sql(
        """
        select *
        from marts.mart_sales_reps_monthly
        where month = (
            select max(month) from marts.mart_cmo_kpis_monthly
            where is_mature_90d and month <= $month
        )
        order by owner_id
        """,
        params=params,
    )
    reps_mature = [dict(zip(reps_rel.columns, r, strict=True)) for r in reps_rel.fetchall()]

    # lead quality per channel on the latest cohort mature for 90 days: a cheap channel whose
    # leads do not qualify or convert shows it next to its cost per won lead
    quality_rel = con.sql(
        """
        with cohort as (
            select max(month) as month from marts.mart_cmo_kpis_monthly
            where is_mature_90d and month <= $month
        )
        select
            marketing.month,
            marketing.channel,
            marketing.leads,
            marketing.qualified_leads / nullif(marketing.leads, 0) as qualification_rate,
            cohorts.cr2_90d,
            marketing.cpl,
            marketing.ad_spend / nullif(cohorts.won_leads_90d, 0) as cost_per_won_lead
        from marts.mart_marketing_monthly as marketing
        inner join cohort on marketing.month = cohort.month
        left join marts.mart_funnel_cohorts as cohorts
            on marketing.month = cohorts.month and marketing.channel = cohorts.channel
        where marketing.leads > 0
        order by marketing.leads desc, marketing.channel
        """,
        params=params,
    )
    lead_quality = [dict(zip(quality_rel.columns, r, strict=True)) for r in quality_rel.fetchall()]

    # does onboarding cut churn? 90-day churn per onboarding bucket over the customers
    # measurable at 90 days, all acquisition months up to the report's month
    onboarding = con.sql(
        """
        select
            onboarding_bucket,
            sum(customers_measurable_90d) as measurable,
            sum(customers_measurable_90d - retained_90d) as churned
        from marts.mart_onboarding_retention
        where acquisition_month <= $month
        group by onboarding_bucket
        order by measurable desc, onboarding_bucket
        """,
        params=params,
    ).fetchall()

    onboarding_channels = con.sql(
        """
        select
            channel,
            has_onboarding,
            sum(customers_measurable_90d) as measurable,
            sum(customers_measurable_90d - retained_90d) as churned
        from marts.mart_onboarding_channels
        where acquisition_month <= $month
        group by channel, has_onboarding
        order by channel, has_onboarding
        """,
        params=params,
    ).fetchall()

    coverage_rel = con.sql("select * from quality.crm_coverage")
    coverage_rows = coverage_rel.fetchall()
    coverage = (
        dict(zip(coverage_rel.columns, coverage_rows[0], strict=True)) if coverage_rows else {}
    )

    latest_mature = con.sql(
        """
        select month, cr2_90d
        from marts.mart_cmo_kpis_monthly
        where is_mature_90d and month <= $month and cr2_90d is not null
        order by month desc
        limit 1
        """,
        params=params,
    ).fetchall()
    return {
        "trends": trends,
        "funnel": dict(zip(("qualified_leads", "deals", "won_leads"), funnel, strict=True)),
        "cohorts": cohort_rows,
        "latest_mature_cr2": latest_mature[0] if latest_mature else None,
        "attribution_model": chosen_model,
        "attribution": sorted(
            (
                r
                for r in attribution_rows.values()
                if any(r[m]["leads"] for m in r if m != "channel")
            ),
            key=lambda r: (-(r.get("markov", {}).get("leads") or 0), r["channel"]),
        ),
        "pipeline": [dict(zip(pipeline_columns, r, strict=True)) for r in pipeline],
        "reps_mature": [r for r in reps_mature if r.get("trailing_3m_expected_won_leads")],
        "crm_coverage": coverage,
        "lead_quality": lead_quality,
        "onboarding_channels": [
            {"channel": c, "has_onboarding": h, "measurable": m or 0.0, "churned": ch or 0.0}
            for c, h, m, ch in onboarding_channels
        ],
        "onboarding": [
            {"bucket": b, "measurable": int(m or 0), "churned": int(c or 0)}
            for b, m, c in onboarding
        ],
    }


# --------------------------------------------------------------------------------------------
# formatting
