-- The funnel narrows in every month and channel of mart_marketing_monthly (METRICS.md,
-- "Funnel"): leads >= qualified_leads >= deals >= won_leads and leads >= contacted_leads
-- (tolerance 1e-9 for summed credits); and for every lead of fct_leads, won implies a deal
-- and a deal implies qualified. Returns the broken month x channel rows and leads.
with

marketing_monthly as (
    select * from {{ ref('mart_marketing_monthly') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

broken_channel_months as (
    select
        cast(month as {{ dbt.type_string() }}) as month_or_lead,
        channel,
        leads,
        contacted_leads,
        qualified_leads,
        deals,
        won_leads,
        case
            when
                leads is null or contacted_leads is null or qualified_leads is null
                or deals is null or won_leads is null then 'null count'
            when qualified_leads > leads + 1e-9 then 'qualified_leads > leads'
            when deals > qualified_leads + 1e-9 then 'deals > qualified_leads'
            when won_leads > deals + 1e-9 then 'won_leads > deals'
            when contacted_leads > leads + 1e-9 then 'contacted_leads > leads'
            when least(leads, contacted_leads, qualified_leads, deals, won_leads) < -1e-9 then 'negative count'
        end as failure
    from marketing_monthly
),

broken_leads as (
    select
        lead_id as month_or_lead,
        channel,
        1.0 as leads,
        case when is_contacted then 1.0 else 0.0 end as contacted_leads,
        case when is_qualified then 1.0 else 0.0 end as qualified_leads,
        case when has_deal then 1.0 else 0.0 end as deals,
        case when is_won then 1.0 else 0.0 end as won_leads,
        case
            when is_won and not has_deal then 'won lead without a deal'
            when has_deal and not is_qualified then 'lead with a deal not qualified'
        end as failure
    from leads
),

final as (
    select * from broken_channel_months
    where failure is not null
    union all
    select * from broken_leads
    where failure is not null
)

select * from final
