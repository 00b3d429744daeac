{#- Every lead (valid or not) with how far it got (METRICS.md, "Funnel"): first call at or
    after creation, contacted (a connected call), qualified, deal, won, and the billing
    customer one of its deals produced. -#}
{{ config(materialized='table') }}

with

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

calls as (
    select * from {{ ref('int_lead_calls_joined') }}
),

deals as (
    select * from {{ ref('stg_crm__deals') }}
    where lead_id is not null
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
    where crm_deal_id is not null
),

call_facts as (
    select
        calls.lead_id,
        min(case when calls.started_at >= leads.created_at then calls.started_at end) as first_call_at,
        max(case when calls.outcome = 'connected' then 1 else 0 end) = 1 as is_contacted
    from calls
    inner join leads
        on calls.lead_id = leads.lead_id
    group by calls.lead_id
),

deal_facts as (
    select
        lead_id,
        count(*) as deal_count,
        min(created_at) as first_deal_at,
        max(case when is_won then 1 else 0 end) = 1 as is_won,
        min(case when is_won then closed_at end) as won_at
    from deals
    group by lead_id
),

lead_customers as (
    select
        deals.lead_id,
        customers.customer_id,
        row_number() over (
            partition by deals.lead_id
            order by customers.created_at, customers.customer_id
        ) as customer_rank
    from deals
    inner join customers
        on deals.deal_id = customers.crm_deal_id
),

final as (
    select
        leads.lead_id,
        leads.created_at,
        {{ reporting_month('leads.created_at') }} as lead_month,
        leads.is_valid,
        leads.invalid_reason,
        leads.duplicate_of_lead_id,
        leads.owner_id,
        leads.status,
        call_facts.first_call_at,
        {{ seconds_between('leads.created_at', 'call_facts.first_call_at') }} / 60.0 as speed_to_lead_minutes,
        coalesce(call_facts.is_contacted, false) as is_contacted,
        leads.status in ('qualified', 'converted') or deal_facts.lead_id is not null as is_qualified,
        deal_facts.lead_id is not null as has_deal,
        coalesce(deal_facts.is_won, false) as is_won,
        deal_facts.first_deal_at,
        deal_facts.won_at,
        lead_customers.customer_id
    from leads
    left join call_facts
        on leads.lead_id = call_facts.lead_id
    left join deal_facts
        on leads.lead_id = deal_facts.lead_id
    left join lead_customers
        on
            leads.lead_id = lead_customers.lead_id
            and lead_customers.customer_rank = 1
)

select * from final
