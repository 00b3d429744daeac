{#- Customer x channel credit (var attribution_model) with the customer's acquisition month,
    new MRR and revenue up to as_of_month: the per-channel money metrics weight each customer
    by its credit (METRICS.md new_customers, new_mrr, revenue_to_date). Revenue up to
    as_of_month is the customer's lifetime_revenue from int_customers_summarized. -#}
{{ config(materialized='table') }}

with

credits as (
    select * from {{ ref('int_customers_credited') }}
),

customers as (
    select * from {{ ref('int_customers_summarized') }}
),

final as (
    select
        credits.customer_id,
        credits.channel,
        credits.credit,
        customers.acquisition_month,
        customers.first_paid_at,
        coalesce(customers.lifetime_revenue, 0) as revenue_to_date
    from credits
    left join customers
        on credits.customer_id = customers.customer_id
)

select * from final
