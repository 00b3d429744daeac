{#- Valid lead x channel: the lead's summed credit in the channel under var
    attribution_model, with the lead's funnel facts, so channel breakdowns count a lead as
    its credit in each channel and channel rows add up to the total (METRICS.md). -#}
{{ config(materialized='table') }}

with

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
    where attribution_model = '{{ selected_attribution_model() }}'
),

leads as (
    select * from {{ ref('int_leads_progressed') }}
    where is_valid
),

channel_credits as (
    select
        lead_id,
        channel,
        {{ fsum() }}(credit) as credit
    from credits
    group by lead_id, channel
),

final as (
    select
        leads.lead_id,
        leads.lead_month,
        channel_credits.channel,
        channel_credits.credit,
        leads.owner_id,
        leads.is_contacted,
        leads.is_qualified,
        leads.has_deal,
        leads.is_won
    from channel_credits
    inner join leads
        on channel_credits.lead_id = leads.lead_id
)

select * from final
