-- mart_cmo_kpis_monthly reconciles with the staged rows in every month covered (METRICS.md):
-- sessions (staged sessions by started_at, reporting time zone), revenue (paid invoice
-- amounts by paid_at minus refunds by refunded_at, reporting currency, before tax),
-- marketing_cost (fct_ad_spend_daily's spend, itself reconciled to the staged platform rows,
-- plus the staged non-ad costs of the month) and leads (valid leads of fct_leads by
-- lead_month). Returns each month and measure that differ by more than float noise
-- (sums_differ), or that the mart lacks.
with

months_covered as (
    select month from {{ ref('int_months_covered') }}
),

kpis as (
    select * from {{ ref('mart_cmo_kpis_monthly') }}
),

staged_events as (
    select
        {{ reporting_month('started_at') }} as month,
        'sessions' as measure,
        count(*) as staged_value
    from {{ ref('stg_web__sessions') }}
    group by 1
    union all
    select
        {{ reporting_month('paid_at') }} as month,
        'revenue' as measure,
        sum(amount) as staged_value
    from {{ ref('stg_billing__invoices') }}
    where status = 'paid' and paid_at is not null
    group by 1
    union all
    select
        {{ reporting_month('refunded_at') }} as month,
        'revenue' as measure,
        -sum(amount) as staged_value
    from {{ ref('stg_billing__refunds') }}
    group by 1
    union all
    select
        {{ month_of_date('date') }} as month,
        'marketing_cost' as measure,
        sum(spend) as staged_value
    from {{ ref('fct_ad_spend_daily') }}
    group by 1
    union all
    select
        cost_month as month,
        'marketing_cost' as measure,
        sum(amount) as staged_value
    from {{ ref('stg_finance__marketing_costs') }}
    group by 1
    union all
    select
        lead_month as month,
        'leads' as measure,
        count(*) as staged_value
    from {{ ref('fct_leads') }}
    where is_valid
    group by 1
),

staged_monthly as (
    select
        staged_events.month,
        staged_events.measure,
        sum(staged_events.staged_value) as staged_value
    from staged_events
    inner join months_covered
        on staged_events.month = months_covered.month
    group by 1, 2
),

kpis_monthly as (
    select
        month,
        'sessions' as measure,
        sessions as kpi_value
    from kpis
    union all
    select
        month,
        'revenue' as measure,
        revenue as kpi_value
    from kpis
    union all
    select
        month,
        'marketing_cost' as measure,
        marketing_cost as kpi_value
    from kpis
    union all
    select
        month,
        'leads' as measure,
        leads as kpi_value
    from kpis
),

compared as (
    select
        coalesce(staged_monthly.month, kpis_monthly.month) as month,
        coalesce(staged_monthly.measure, kpis_monthly.measure) as measure,
        coalesce(staged_monthly.staged_value, 0) as staged_value,
        kpis_monthly.kpi_value
    from staged_monthly
    full outer join kpis_monthly
        on
            staged_monthly.month = kpis_monthly.month
            and staged_monthly.measure = kpis_monthly.measure
),

final as (
    select
        *,
        kpi_value - staged_value as difference
    from compared
    where
        kpi_value is null
        or {{ sums_differ('kpi_value', 'staged_value') }}
)

select * from final
