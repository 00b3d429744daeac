{#- Every call activity with the lead it belongs to: logged on the lead itself or on one of its
    deals (METRICS.md, contacted_leads and speed_to_lead_minutes). -#}
with

calls as (
    select * from {{ ref('stg_crm__activities') }}
    where activity_type = 'call'
),

deals as (
    select
        deal_id,
        lead_id
    from {{ ref('stg_crm__deals') }}
    where lead_id is not null
),

calls_on_leads as (
    select
        activity_id,
        lead_id,
        started_at,
        outcome
    from calls
    where lead_id is not null
),

calls_on_deals as (
    select
        calls.activity_id,
        deals.lead_id,
        calls.started_at,
        calls.outcome
    from calls
    inner join deals
        on calls.deal_id = deals.deal_id
),

final as (
    select * from calls_on_leads
    union
    select * from calls_on_deals
)

select * from final
