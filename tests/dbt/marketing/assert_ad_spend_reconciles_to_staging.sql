-- Ad spend reconciles from the staged platform rows to the marts (METRICS.md, ad_spend):
-- recomputed here from each platform's own amount (Google cost_micros / 1e6, Meta spend,
-- Yandex Cost / (1 + var yandex_direct_vat_rate)) at the finance/fx_rates rate of the row's
-- date (the latest rate on or before it; 1 for the reporting currency). fct_ad_spend_daily
-- must hold as many rows and the same spend per platform and in total, and
-- mart_cmo_kpis_monthly.ad_spend the same total over the months covered. Returns the
-- measures that are off by more than float noise (sums_differ).
{%- set reporting_currency = var('reporting_currency') %}

with

google_rows as (
    select
        'google_ads' as ad_platform,
        campaign_id,
        date,
        currency,
        cost_micros / 1000000.0 as spend_original
    from {{ ref('stg_ads__google_ads_campaign_stats') }}
),

meta_rows as (
    select
        'meta_ads' as ad_platform,
        campaign_id,
        date,
        currency,
        spend_original
    from {{ ref('stg_ads__meta_ads_insights') }}
),

yandex_rows as (
    select
        'yandex_direct' as ad_platform,
        campaign_id,
        date,
        currency,
        cost_with_vat / (1 + {{ var('yandex_direct_vat_rate') }}) as spend_original
    from {{ ref('stg_ads__yandex_direct_campaign_reports') }}
),

staged_rows as (
    select * from google_rows
    union all
    select * from meta_rows
    union all
    select * from yandex_rows
),

fx_rates as (
    select
        currency,
        rate_date,
        rate
    from {{ ref('stg_finance__fx_rates') }}
    where currency <> '{{ reporting_currency }}'
),

latest_rate_dates as (
    select
        staged_rows.ad_platform,
        staged_rows.campaign_id,
        staged_rows.date,
        max(fx_rates.rate_date) as rate_date
    from staged_rows
    inner join fx_rates
        on
            staged_rows.currency = fx_rates.currency
            and staged_rows.date >= fx_rates.rate_date
    group by staged_rows.ad_platform, staged_rows.campaign_id, staged_rows.date
),

converted_rows as (
    select
        staged_rows.ad_platform,
        staged_rows.date,
        staged_rows.spend_original
        * case
            when staged_rows.currency = '{{ reporting_currency }}' then 1.0
            else fx_rates.rate
        end as spend
    from staged_rows
    left join latest_rate_dates
        on
            staged_rows.ad_platform = latest_rate_dates.ad_platform
            and staged_rows.campaign_id = latest_rate_dates.campaign_id
            and staged_rows.date = latest_rate_dates.date
    left join fx_rates
        on
            staged_rows.currency = fx_rates.currency
            and latest_rate_dates.rate_date = fx_rates.rate_date
),

months_covered as (
    select
        min(month) as first_month,
        max(month_end_date) as last_day
    from {{ ref('int_months_covered') }}
),

staged_totals as (
    select
        ad_platform as scope,
        count(*) as row_count,
        -- a row without a rate leaves its platform's spend NULL, which fails below; no rows
        -- at all (a header-only file) is a spend of 0
        case when count(spend) = count(*) then coalesce(sum(spend), 0) end as spend
    from converted_rows
    group by ad_platform
    union all
    select
        'all platforms' as scope,
        count(*) as row_count,
        case when count(spend) = count(*) then coalesce(sum(spend), 0) end as spend
    from converted_rows
),

mart_totals as (
    select
        ad_platform as scope,
        count(*) as row_count,
        sum(spend) as spend
    from {{ ref('fct_ad_spend_daily') }}
    group by ad_platform
    union all
    select
        'all platforms' as scope,
        count(*) as row_count,
        sum(spend) as spend
    from {{ ref('fct_ad_spend_daily') }}
),

staged_in_months_covered as (
    select
        case
            when count(converted_rows.spend) = count(*) then coalesce(sum(converted_rows.spend), 0)
        end as spend
    from converted_rows
    cross join months_covered
    where
        converted_rows.date >= months_covered.first_month
        and converted_rows.date <= months_covered.last_day
),

kpis_total as (
    select coalesce(sum(ad_spend), 0) as spend
    from {{ ref('mart_cmo_kpis_monthly') }}
),

compared as (
    select
        coalesce(staged_totals.scope, mart_totals.scope) as scope,
        'fct_ad_spend_daily rows' as measure,
        coalesce(staged_totals.row_count, 0) as staged_value,
        coalesce(mart_totals.row_count, 0) as mart_value
    from staged_totals
    full outer join mart_totals
        on staged_totals.scope = mart_totals.scope
    union all
    select
        coalesce(staged_totals.scope, mart_totals.scope) as scope,
        'fct_ad_spend_daily spend' as measure,
        case when staged_totals.scope is null then 0 else staged_totals.spend end as staged_value,
        coalesce(mart_totals.spend, 0) as mart_value
    from staged_totals
    full outer join mart_totals
        on staged_totals.scope = mart_totals.scope
    union all
    select
        'months covered' as scope,
        'mart_cmo_kpis_monthly ad_spend' as measure,
        staged_in_months_covered.spend as staged_value,
        kpis_total.spend as mart_value
    from staged_in_months_covered
    cross join kpis_total
),

final as (
    select
        *,
        mart_value - staged_value as difference
    from compared
    where
        staged_value is null
        or mart_value is null
        or {{ sums_differ('mart_value', 'staged_value') }}
)

select * from final
