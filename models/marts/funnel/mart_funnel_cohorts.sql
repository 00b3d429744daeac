{#- Lead cohort month x channel (the grid of mart_marketing_monthly): the cohort's won leads
    at equal ages (30, 60, 90 days), its cr2 once mature, and the projection of its 90-day
    cr2 while it is young (METRICS.md, "Cohort maturity and projections"); per channel every
    count is credit-weighted. -#}
with

grid as (
    select
        month,
        channel
    from {{ ref('mart_marketing_monthly') }}
),

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_months_covered') }}
),

reference as (
    select count(*) > 0 as has_reference_cohort from {{ ref('int_cohort_win_curve') }}
),

lead_credits as (
    select * from {{ ref('int_lead_channel_credits') }}
),

valued as (
    select * from {{ ref('int_leads_cohort_valued') }}
),

cohorts as (
    select
        lead_credits.lead_month,
        lead_credits.channel,
        {{ cohort_sums('lead_credits.credit') }}
    from lead_credits
    inner join valued
        on lead_credits.lead_id = valued.lead_id
    group by lead_credits.lead_month, lead_credits.channel
),

measured as (
    select
        grid.month,
        grid.channel,
        coalesce(cohorts.leads, 0) as leads,
        coalesce(cohorts.won_leads, 0) as won_leads,
        coalesce(cohorts.won_leads_30d, 0) as won_leads_30d,
        coalesce(cohorts.won_leads_60d, 0) as won_leads_60d,
        coalesce(cohorts.won_leads_90d, 0) as won_leads_90d,
        {{ cohort_columns('cohorts', 'grid.month', 'as_of', 'reference') }}
    from grid
    cross join as_of
    cross join reference
    left join cohorts
        on
            grid.month = cohorts.lead_month
            and grid.channel = cohorts.channel
),

final as (
    select
        cast(month as date) as month,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(leads as {{ type_double() }}) as leads,
        cast(won_leads as {{ type_double() }}) as won_leads,
        cast(won_leads_30d as {{ type_double() }}) as won_leads_30d,
        cast(won_leads_60d as {{ type_double() }}) as won_leads_60d,
        cast(won_leads_90d as {{ type_double() }}) as won_leads_90d,
        cast(cr2_30d as {{ type_double() }}) as cr2_30d,
        cast(cr2_60d as {{ type_double() }}) as cr2_60d,
        cast(cr2_90d as {{ type_double() }}) as cr2_90d,
        cast(is_mature_30d as {{ dbt.type_boolean() }}) as is_mature_30d,
        cast(is_mature_60d as {{ dbt.type_boolean() }}) as is_mature_60d,
        cast(is_mature_90d as {{ dbt.type_boolean() }}) as is_mature_90d,
        cast(projected_won_leads_90d as {{ type_double() }}) as projected_won_leads_90d,
        cast({{ safe_ratio('projected_won_leads_90d', 'leads') }} as {{ type_double() }})
            as projected_cr2_90d
    from measured
)

select * from final
