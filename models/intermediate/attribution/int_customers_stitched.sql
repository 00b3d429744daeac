{#- Identity stitching, one row per billing customer: how it reaches a lead (customer.crm_deal_id
    -> deal.lead_id -> lead, or the lead that lead duplicates), and, when it does not, why. A
    customer id that appears only on invoices (no billing/customers row) is kept, unattributed,
    so that per-channel money still adds up to the total. -#}
{{ config(materialized='table') }}
with

billing_customers as (
    select
        customer_id,
        crm_deal_id,
        true as has_customer_row
    from {{ ref('stg_billing__customers') }}
),

invoice_only_customers as (
    select distinct
        invoices.customer_id,
        cast(null as {{ dbt.type_string() }}) as crm_deal_id,
        false as has_customer_row
    from {{ ref('stg_billing__invoices') }} as invoices
    where
        invoices.customer_id is not null
        and invoices.customer_id not in (select billing_customers.customer_id from billing_customers)
),

customers as (
    select * from billing_customers
    union all
    select * from invoice_only_customers
),

deals as (
    select * from {{ ref('stg_crm__deals') }}
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

final as (
    select
        customers.customer_id,
        customers.crm_deal_id,
        deals.lead_id as deal_lead_id,
        {{ attributed_lead_id('leads') }} as attributed_lead_id,
        case
            when not customers.has_customer_row then 'customer_not_found'
            when customers.crm_deal_id is null then 'no_crm_deal_id'
            when deals.deal_id is null then 'deal_not_found'
            when deals.lead_id is null then 'deal_without_lead'
            when leads.lead_id is null then 'lead_not_found'
            when leads.is_valid then 'stitched_to_lead'
            when leads.invalid_reason = 'duplicate' then 'stitched_via_duplicate'
            else 'lead_' || leads.invalid_reason
        end as stitch_status
    from customers
    left join deals
        on customers.crm_deal_id = deals.deal_id
    left join leads
        on deals.lead_id = leads.lead_id
)

select * from final
