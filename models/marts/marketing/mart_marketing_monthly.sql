{#- Month x channel (METRICS.md): every month covered x every channel of any session, lead
    touchpoint, ad row, channel cost or customer credit. Lead metrics by lead cohort (month of
    created_at), each lead counted as its credit in the channel under var attribution_model. -#}
{%- set gross_margin = var('gross_margin') %}

with

months as (
    select * from {{ ref('int_months_covered') }}
),

channels as (
    select * from {{ ref('int_channels') }}
),

sessions as (
    select * from {{ ref('int_sessions_classified') }}
),

lead_credits as (
    select * from {{ ref('int_lead_channel_credits') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
    where is_valid
),

ad_spend as (
    select * from {{ ref('fct_ad_spend_daily') }}
),

channel_costs as (
    select * from {{ ref('stg_finance__marketing_costs') }}
    where channel is not null
),

customer_credits as (
    select * from {{ ref('int_customer_channel_credits') }}
),

new_mrr_movements as (
    select * from {{ ref('int_mrr_movements_classified') }}
    where movement = 'new'
),

touchpoint_channels as (
    select distinct channel from {{ ref('int_touchpoints_collected') }}
),

channels_in_scope as (
    select distinct channel from sessions
    union
    select channel from touchpoint_channels
    union
    select distinct channel from ad_spend
    union
    select distinct channel from channel_costs
    union
    select distinct channel from customer_credits
),

grid as (
    select
        months.month,
        channels_in_scope.channel,
        coalesce(channels.channel_group, 'other') as channel_group
    from months
    cross join channels_in_scope
    left join channels
        on channels_in_scope.channel = channels.channel
),

sessions_monthly as (
    select
        {{ reporting_month('started_at') }} as month,
        channel,
        count(*) as sessions
    from sessions
    group by 1, 2
),

leads_monthly as (
    select
        lead_month as month,
        channel,
        {{ fsum() }}(credit) as leads,
        {{ fsum() }}(case when is_contacted then credit else 0 end) as contacted_leads,
        {{ fsum() }}(case when is_qualified then credit else 0 end) as qualified_leads,
        {{ fsum() }}(case when has_deal then credit else 0 end) as deals,
        {{ fsum() }}(case when is_won then credit else 0 end) as won_leads
    from lead_credits
    group by 1, 2
),

speed_to_lead_monthly as (
    select
        lead_month as month,
        channel,
        {{ median('speed_to_lead_minutes') }} as speed_to_lead_minutes
    from leads
    where first_call_at is not null
    group by 1, 2
),

ad_spend_monthly as (
    select
        {{ month_of_date('date') }} as month,
        channel,
        {{ fsum() }}(spend) as ad_spend
    from ad_spend
    group by 1, 2
),

channel_costs_monthly as (
    select
        cost_month as month,
        channel,
        {{ fsum() }}(amount) as channel_cost
    from channel_costs
    group by 1, 2
),

customers_monthly as (
    select
        acquisition_month as month,
        channel,
        {{ fsum() }}(credit) as new_customers,
        {{ fsum() }}(credit * revenue_to_date) as revenue_to_date
    from customer_credits
    where acquisition_month is not null
    group by 1, 2
),

new_mrr_monthly as (
    select
        new_mrr_movements.month,
        customer_credits.channel,
        {{ fsum() }}(new_mrr_movements.movement_amount * customer_credits.credit) as new_mrr
    from new_mrr_movements
    inner join customer_credits
        on new_mrr_movements.customer_id = customer_credits.customer_id
    group by 1, 2
),

joined as (
    select
        grid.month,
        grid.channel,
        grid.channel_group,
        coalesce(sessions_monthly.sessions, 0) as sessions,
        coalesce(leads_monthly.leads, 0) as leads,
        coalesce(leads_monthly.contacted_leads, 0) as contacted_leads,
        coalesce(leads_monthly.qualified_leads, 0) as qualified_leads,
        coalesce(leads_monthly.deals, 0) as deals,
        coalesce(leads_monthly.won_leads, 0) as won_leads,
        speed_to_lead_monthly.speed_to_lead_minutes,
        coalesce(ad_spend_monthly.ad_spend, 0) as ad_spend,
        coalesce(ad_spend_monthly.ad_spend, 0) + coalesce(channel_costs_monthly.channel_cost, 0) as marketing_cost,
        coalesce(customers_monthly.new_customers, 0) as new_customers,
        coalesce(new_mrr_monthly.new_mrr, 0) as new_mrr,
        coalesce(customers_monthly.revenue_to_date, 0) as revenue_to_date
    from grid
    left join sessions_monthly
        on grid.month = sessions_monthly.month and grid.channel = sessions_monthly.channel
    left join leads_monthly
        on grid.month = leads_monthly.month and grid.channel = leads_monthly.channel
    left join speed_to_lead_monthly
        on grid.month = speed_to_lead_monthly.month and grid.channel = speed_to_lead_monthly.channel
    left join ad_spend_monthly
        on grid.month = ad_spend_monthly.month and grid.channel = ad_spend_monthly.channel
    left join channel_costs_monthly
        on grid.month = channel_costs_monthly.month and grid.channel = channel_costs_monthly.channel
    left join customers_monthly
        on grid.month = customers_monthly.month and grid.channel = customers_monthly.channel
    left join new_mrr_monthly
        on grid.month = new_mrr_monthly.month and grid.channel = new_mrr_monthly.channel
),

final as (
    select
        cast(month as date) as month,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(channel_group as {{ dbt.type_string() }}) as channel_group,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(leads as {{ type_double() }}) as leads,
        cast(contacted_leads as {{ type_double() }}) as contacted_leads,
        cast(qualified_leads as {{ type_double() }}) as qualified_leads,
        cast(deals as {{ type_double() }}) as deals,
        cast(won_leads as {{ type_double() }}) as won_leads,
        cast({{ kpi_ratio('cr1') }} as {{ type_double() }}) as cr1,
        cast({{ kpi_ratio('cr2') }} as {{ type_double() }}) as cr2,
        cast({{ safe_ratio('contacted_leads', 'leads') }} as {{ type_double() }}) as contact_rate,
        cast({{ safe_ratio('qualified_leads', 'leads') }} as {{ type_double() }}) as qualification_rate,
        cast({{ safe_ratio('won_leads', 'deals') }} as {{ type_double() }}) as win_rate,
        cast(speed_to_lead_minutes as {{ type_double() }}) as speed_to_lead_minutes,
        cast(ad_spend as {{ type_double() }}) as ad_spend,
        cast(marketing_cost as {{ type_double() }}) as marketing_cost,
        cast({{ kpi_ratio('cpl') }} as {{ type_double() }}) as cpl,
        cast(new_customers as {{ type_double() }}) as new_customers,
        cast({{ kpi_ratio('cac') }} as {{ type_double() }}) as cac,
        cast(new_mrr as {{ type_double() }}) as new_mrr,
        cast(
            {{ payback_months(kpi_ratio('cac'), gross_margin) }}
            as {{ type_double() }}
        ) as payback_months,
        cast(revenue_to_date as {{ type_double() }}) as revenue_to_date,
        cast(
            {{ safe_ratio('revenue_to_date * ' ~ gross_margin ~ ' - marketing_cost', 'marketing_cost') }}
            as {{ type_double() }}
        ) as romi_to_date
    from joined
)

select * from final
