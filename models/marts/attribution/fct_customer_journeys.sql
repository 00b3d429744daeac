{#- Valid lead -> customer: the timeline from the first touch to the first payment and churn
    (MARTS.md). The customer is the one a deal of this lead produced (fct_leads.customer_id). -#}
with

leads as (
    select * from {{ ref('int_leads_progressed') }}
    where is_valid
),

touchpoints as (
    select * from {{ ref('int_touchpoints_collected') }}
),

customers as (
    select * from {{ ref('int_customers_summarized') }}
),

first_and_last_touch as (
    select
        lead_id,
        max(case when touchpoint_number = 1 then channel end) as first_touch_channel,
        max(case when touchpoint_number = touchpoint_count then channel end) as last_touch_channel,
        min(touchpoint_at) as first_touch_at
    from touchpoints
    group by lead_id
),

final as (
    select
        cast(leads.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(leads.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(first_and_last_touch.first_touch_channel as {{ dbt.type_string() }}) as first_touch_channel,
        cast(first_and_last_touch.last_touch_channel as {{ dbt.type_string() }}) as last_touch_channel,
        cast(first_and_last_touch.first_touch_at as {{ dbt.type_timestamp() }}) as first_touch_at,
        cast(leads.created_at as {{ dbt.type_timestamp() }}) as lead_created_at,
        cast(leads.first_deal_at as {{ dbt.type_timestamp() }}) as first_deal_at,
        cast(leads.won_at as {{ dbt.type_timestamp() }}) as won_at,
        cast(customers.first_paid_at as {{ dbt.type_timestamp() }}) as first_paid_at,
        cast(customers.churned_month as date) as churned_at,
        cast(coalesce(customers.lifetime_revenue, 0) as {{ type_double() }}) as lifetime_revenue,
        cast(coalesce(customers.current_mrr, 0) as {{ type_double() }}) as current_mrr
    from leads
    left join first_and_last_touch on leads.lead_id = first_and_last_touch.lead_id
    left join customers on leads.customer_id = customers.customer_id
)

select * from final
