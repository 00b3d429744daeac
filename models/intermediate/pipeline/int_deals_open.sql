{#- The deals open at as_of_date (METRICS.md, "Open pipeline"): created on or before it and
    not closed by its end; the current stage is deals.stage; the amount in the reporting
    currency at the rate of the deal's created_at date (NULL when there is no amount or no
    rate). -#}
{%- set reporting_currency = var('reporting_currency') %}

with

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_months_covered') }}
),

deals as (
    select * from {{ ref('stg_crm__deals') }}
),

fx_rates as (
    select * from {{ ref('stg_finance__fx_rates') }}
    where currency <> '{{ reporting_currency }}'
),

open_deals as (
    select
        deals.deal_id,
        deals.stage,
        deals.amount_original,
        deals.currency,
        {{ reporting_date('deals.created_at') }} as created_date
    from deals
    cross join as_of
    where
        {{ reporting_date('deals.created_at') }} <= as_of.as_of_date
        and (
            deals.closed_at is null
            or {{ reporting_date('deals.closed_at') }} > as_of.as_of_date
        )
),

final as (
    select
        open_deals.deal_id,
        open_deals.stage,
        case
            when open_deals.currency = '{{ reporting_currency }}' then open_deals.amount_original
            else open_deals.amount_original * fx_rates.rate
        end as amount
    from open_deals
    left join fx_rates
        on {{ fx_rate_in_force('open_deals.currency', 'open_deals.created_date') }}
)

select * from final
