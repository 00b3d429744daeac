{#- Each billing customer's channel credits under var attribution_model (METRICS.md): the
    credits of its lead (customer.crm_deal_id -> deal.lead_id), or of the lead that lead
    duplicates; a customer with no such path, or whose lead is spam or test, is channel
    `unattributed` with credit 1. -#}
with

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

deals as (
    select * from {{ ref('stg_crm__deals') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
    where attribution_model = '{{ selected_attribution_model() }}'
),

customer_leads as (
    select
        customers.customer_id,
        case
            when leads.is_valid then leads.lead_id
            when leads.invalid_reason = 'duplicate' then leads.duplicate_of_lead_id
        end as attributed_lead_id
    from customers
    left join deals
        on customers.crm_deal_id = deals.deal_id
    left join leads
        on deals.lead_id = leads.lead_id
),

attributed as (
    select
        customer_leads.customer_id,
        customer_leads.attributed_lead_id,
        credits.channel,
        sum(credits.credit) as credit
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
