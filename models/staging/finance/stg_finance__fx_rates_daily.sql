{#- The FX rate in force (macro fx_rate_in_force) on every day from each currency's first
    rate to its latest one: one row per currency and day, so that a conversion joins on equal
    keys (fx_rate_in_force_joins). Joining every landing row to every rate of its currency
    and keeping the one in force costs rows x rates, and the rates grow a row a day; this
    table grows a row a day too, and the join on (currency, day) costs one lookup per row.
    After its latest rate's day a currency keeps that rate, which fx_rate_in_force_joins
    takes from stg_finance__fx_rates. -#}
{{ config(materialized='table') }}
{%- set event_range = event_date_range() %}

with

fx_rates as (
    select * from {{ ref('stg_finance__fx_rates') }}
),

{# every staged rate is dated within the event range (LANDING.md rule 7) #}
calendar as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ event_range.earliest ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ event_range.latest ~ "' as date)"),
    ) }}
),

currencies as (
    select
        currency,
        min(valid_from_date) as first_rate_date,
        max(valid_from_date) as latest_rate_date
    from fx_rates
    group by currency
),

currency_days as (
    select
        currencies.currency,
        cast(calendar.date_day as date) as rate_day
    from currencies
    inner join calendar
        on
            cast(calendar.date_day as date) >= currencies.first_rate_date
            and cast(calendar.date_day as date) <= currencies.latest_rate_date
),

final as (
    select
        currency_days.currency,
        currency_days.rate_day,
        fx_rates.rate
    from currency_days
    inner join fx_rates
        on {{ fx_rate_in_force('currency_days.currency', 'currency_days.rate_day') }}
)

select * from final
