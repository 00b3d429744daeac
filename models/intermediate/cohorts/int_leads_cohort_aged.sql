{#- Every valid lead with what cohort maturity needs (METRICS.md, "Cohort maturity and
    projections"): its cohort month, how long after creation its first won deal closed on or
    before as_of_date (a deal closed before created_at counts as at 0; a won deal without
    closed_at counts in none), its age at as_of_date in days (at most 90), and whether its
    cohort is mature for 30, 60 and 90 days. -#}
{{ config(materialized='table') }}

with

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_months_covered') }}
),

leads as (
    select
        lead_id,
        created_at,
        lead_month,
        is_won
    from {{ ref('int_leads_progressed') }}
    where is_valid
),

won_deals as (
    select
        deals.lead_id,
        min(deals.closed_at) as first_won_closed_at
    from {{ ref('stg_crm__deals') }} as deals
    cross join as_of
    where
        deals.is_won
        and deals.closed_at is not null
        and {{ reporting_date('deals.closed_at') }} <= as_of.as_of_date
    group by deals.lead_id
),

final as (
    select
        leads.lead_id,
        leads.lead_month,
        leads.is_won,
        {%- for days in [30, 60, 90] %}
            {{ dbt.dateadd('day', days, month_last_day('leads.lead_month')) }} <= as_of.as_of_date
                as is_mature_{{ days }}d,
        {%- endfor %}
        case
            when won_deals.first_won_closed_at is not null
                then greatest({{ seconds_between('leads.created_at', 'won_deals.first_won_closed_at') }}, 0)
        end as won_after_seconds,
        least(
            90,
            {{ dbt.datediff(reporting_date('leads.created_at'), 'as_of.as_of_date', 'day') }}
        ) as age_days
    from leads
    cross join as_of
    left join won_deals
        on leads.lead_id = won_deals.lead_id
)

select * from final
