{#- Customer x channel credit (var attribution_model) with the customer's acquisition month,
    new MRR and revenue up to as_of_month: the per-channel money metrics weight each customer
    by its credit (METRICS.md new_customers, new_mrr, revenue_to_date). -#}
{{ config(materialized='table') }}

with

credits as (
    select * from {{ ref('int_customers_credited') }}
),

acquired as (
    select * from {{ ref('int_customers_acquired') }}
),

as_of as (
    select max(as_of_month) as as_of_month from {{ ref('int_months_covered') }}
),

revenue_to_date as (
    select
        events.customer_id,
        sum(events.amount) as revenue_to_date
    from {{ ref('int_revenue_events_unioned') }} as events
    cross join as_of
    where events.event_month <= as_of.as_of_month and events.customer_id is not null
    group by events.customer_id
),

final as (
    select
        credits.customer_id,
        credits.channel,
        credits.credit,
        acquired.acquisition_month,
        acquired.first_paid_at,
        coalesce(revenue_to_date.revenue_to_date, 0) as revenue_to_date
    from credits
    left join acquired
        on credits.customer_id = acquired.customer_id
    left join revenue_to_date
        on credits.customer_id = revenue_to_date.customer_id
)

select * from final
