{#- One row per billing customer (and per customer id seen only on invoices): first
    payment, lifetime revenue and MRR at as_of_month, and when it churned (the month of its
    latest `churn` movement, if it has no MRR at as_of_month). -#}
{{ config(materialized='table') }}
with

stitched as (
    select * from {{ ref('int_customers_stitched') }}
),

billing_customers as (
    select * from {{ ref('stg_billing__customers') }}
),

customers as (
    select
        stitched.customer_id,
        stitched.crm_deal_id,
        billing_customers.created_at
    from stitched
    left join billing_customers
        on stitched.customer_id = billing_customers.customer_id
),

acquired as (
    select * from {{ ref('int_customers_acquired') }}
),

movements as (
    select * from {{ ref('int_mrr_movements_classified') }}
),

as_of as (
    select max(as_of_month) as as_of_month from {{ ref('int_months_covered') }}
),

revenue as (
    select
        events.customer_id,
        {{ fsum() }}(events.amount) as lifetime_revenue
    from {{ ref('int_revenue_events_unioned') }} as events
    cross join as_of
    where events.event_month <= as_of.as_of_month
    group by events.customer_id
),

current_mrr as (
    select
        movements.customer_id,
        movements.mrr as current_mrr
    from movements
    inner join as_of
        on movements.month = as_of.as_of_month
),

last_churn as (
    select
        customer_id,
        max(month) as churned_month
    from movements
    where movement = 'churn'
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.created_at,
        customers.crm_deal_id,
        acquired.first_paid_at,
        acquired.acquisition_month,
        coalesce(revenue.lifetime_revenue, 0) as lifetime_revenue,
        coalesce(current_mrr.current_mrr, 0) as current_mrr,
        case when coalesce(current_mrr.current_mrr, 0) = 0 then last_churn.churned_month end as churned_month
    from customers
    left join acquired on customers.customer_id = acquired.customer_id
    left join revenue on customers.customer_id = revenue.customer_id
    left join current_mrr on customers.customer_id = current_mrr.customer_id
    left join last_churn on customers.customer_id = last_churn.customer_id
)

select * from final
