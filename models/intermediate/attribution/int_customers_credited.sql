{#- Each billing customer's channel credits under var attribution_model (METRICS.md): the
    credits of its lead (customer.crm_deal_id -> deal.lead_id), or of the lead that lead
    duplicates; a customer with no such path, or whose lead is spam or test, is channel
    `unattributed` with credit 1. -#}
{{ config(materialized='table') }}
with

customer_leads as (
    select * from {{ ref('int_customers_stitched') }}
),

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
    where attribution_model = '{{ selected_attribution_model() }}'
),

attributed as (
    select
        customer_leads.customer_id,
        customer_leads.attributed_lead_id,
        credits.channel,
        {{ fsum() }}(credits.credit) as credit
    from customer_leads
    inner join credits
        on customer_leads.attributed_lead_id = credits.lead_id
    group by customer_leads.customer_id, customer_leads.attributed_lead_id, credits.channel
),

unattributed as (
    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as attributed_lead_id,
        'unattributed' as channel,
        1.0 as credit
    from customer_leads
    where not exists (
            select 1 from attributed
            where attributed.customer_id = customer_leads.customer_id
        )
),

final as (
    select * from attributed
    union all
    select * from unattributed
)

select * from final
