{#- Each deal's channel credits under var attribution_model, as a customer inherits them
    (METRICS.md, "Open pipeline"): the credits of its lead, or of the lead that lead
    duplicates; a deal with no such valid lead is `unattributed` with credit 1. -#}
with

deals as (
    select
        deal_id,
        lead_id
    from {{ ref('stg_crm__deals') }}
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
    where attribution_model = '{{ selected_attribution_model() }}'
),

deal_leads as (
    select
        deals.deal_id,
        {{ attributed_lead_id('leads') }} as attributed_lead_id
    from deals
    left join leads
        on deals.lead_id = leads.lead_id
),

attributed as (
    select
        deal_leads.deal_id,
        credits.channel,
        {{ fsum() }}(credits.credit) as credit
    from deal_leads
    inner join credits
        on deal_leads.attributed_lead_id = credits.lead_id
    group by deal_leads.deal_id, credits.channel
),

unattributed as (
    select
        deal_id,
        'unattributed' as channel,
        1.0 as credit
    from deal_leads
    where deal_id not in (select attributed.deal_id from attributed)
),

final as (
    select * from attributed
    union all
    select * from unattributed
)

select * from final
