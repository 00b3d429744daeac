-- The channel rows of mart_marketing_monthly add up to mart_cmo_kpis_monthly in every month
-- (METRICS.md: "channel rows add up to the total"): sessions, leads, ad_spend, new_customers,
-- new_mrr; marketing_cost once the costs with no channel are added; won_leads = cr2 * leads.
-- The lead funnel counts also add up to the valid leads of fct_leads. Returns one row per
-- month and measure that is off by more than float noise (sums_differ).
{%- set measures = [
    'sessions', 'leads', 'contacted_leads', 'qualified_leads', 'deals', 'won_leads', 'ad_spend',
    'marketing_cost', 'new_customers', 'new_mrr',
] %}

with

kpis as (
    select * from {{ ref('mart_cmo_kpis_monthly') }}
),

channel_totals as (
    select
        month,
        sum(sessions) as sessions,
        sum(leads) as leads,
        sum(contacted_leads) as contacted_leads,
        sum(qualified_leads) as qualified_leads,
        sum(deals) as deals,
        sum(won_leads) as won_leads,
        sum(ad_spend) as ad_spend,
        sum(marketing_cost) as marketing_cost,
        sum(new_customers) as new_customers,
        sum(new_mrr) as new_mrr
    from {{ ref('mart_marketing_monthly') }}
    group by month
),

shared_costs as (
    select
        cost_month as month,
        sum(amount) as shared_cost
    from {{ ref('stg_finance__marketing_costs') }}
    where channel is null
    group by cost_month
),

lead_totals as (
    select
        lead_month as month,
        sum(case when is_contacted then 1 else 0 end) as contacted_leads,
        sum(case when is_qualified then 1 else 0 end) as qualified_leads,
        sum(case when has_deal then 1 else 0 end) as deals
    from {{ ref('fct_leads') }}
    where is_valid
    group by lead_month
),

joined as (
    select
        coalesce(kpis.month, channel_totals.month) as month,
        kpis.month is not null as has_kpis_row,
        kpis.sessions as total_sessions,
        kpis.leads as total_leads,
        coalesce(kpis.cr2 * kpis.leads, 0) as total_won_leads,
        kpis.ad_spend as total_ad_spend,
        kpis.marketing_cost as total_marketing_cost,
        kpis.new_customers as total_new_customers,
        kpis.new_mrr as total_new_mrr,
        coalesce(lead_totals.contacted_leads, 0) as total_contacted_leads,
        coalesce(lead_totals.qualified_leads, 0) as total_qualified_leads,
        coalesce(lead_totals.deals, 0) as total_deals,
        coalesce(channel_totals.sessions, 0) as channel_sessions,
        coalesce(channel_totals.leads, 0) as channel_leads,
        coalesce(channel_totals.contacted_leads, 0) as channel_contacted_leads,
        coalesce(channel_totals.qualified_leads, 0) as channel_qualified_leads,
        coalesce(channel_totals.deals, 0) as channel_deals,
        coalesce(channel_totals.won_leads, 0) as channel_won_leads,
        coalesce(channel_totals.ad_spend, 0) as channel_ad_spend,
        coalesce(channel_totals.marketing_cost, 0) + coalesce(shared_costs.shared_cost, 0) as channel_marketing_cost,
        coalesce(channel_totals.new_customers, 0) as channel_new_customers,
        coalesce(channel_totals.new_mrr, 0) as channel_new_mrr
    from kpis
    full outer join channel_totals
        on kpis.month = channel_totals.month
    left join shared_costs
        on coalesce(kpis.month, channel_totals.month) = shared_costs.month
    left join lead_totals
        on coalesce(kpis.month, channel_totals.month) = lead_totals.month
),

compared as (
    {%- for measure in measures %}
        select
            month,
            has_kpis_row,
            '{{ measure }}' as measure,
            total_{{ measure }} as total_value,
            channel_{{ measure }} as channel_value
        from joined
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        *,
        channel_value - total_value as difference
    from compared
    where
        not has_kpis_row
        or total_value is null
        or {{ sums_differ('channel_value', 'total_value') }}
)

select * from final
