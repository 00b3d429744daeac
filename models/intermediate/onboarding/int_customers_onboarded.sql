{#- Each acquired customer's onboarding bucket and 90-day retention (MARTS.md,
    mart_onboarding_retention). Day 0 is the paid_at of the customer's first paid invoice
    with amount > 0 (its acquisition). The bucket lists which of welcome_email,
    onboarding_call, chatbot_onboarding (activities with its customer_id, any outcome)
    started within its first 30 days ([day 0, day 0 + 30 days]), joined with `+` in that
    order, or `none`. Retained at 90 days = MRR > 0 at the end of the month that holds day
    90; that month must be covered (<= as_of_month) for the customer to count as measurable. -#}
{{ config(materialized='table') }}
with

acquired as (
    select * from {{ ref('int_customers_acquired') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
    where
        customer_id is not null
        and activity_type in ('welcome_email', 'onboarding_call', 'chatbot_onboarding')
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

as_of as (
    select max(as_of_month) as as_of_month from {{ ref('int_months_covered') }}
),

onboarding as (
    select
        acquired.customer_id,
        max(case when activities.activity_type = 'welcome_email' then 1 else 0 end) = 1 as has_welcome_email,
        max(case when activities.activity_type = 'onboarding_call' then 1 else 0 end) = 1 as has_onboarding_call,
        max(case when activities.activity_type = 'chatbot_onboarding' then 1 else 0 end) = 1
            as has_chatbot_onboarding
    from acquired
    inner join activities
        on
            acquired.customer_id = activities.customer_id
            and acquired.first_paid_at <= activities.started_at
            and activities.started_at <= {{ dbt.dateadd('day', 30, 'acquired.first_paid_at') }}
    group by acquired.customer_id
),

bucketed as (
    select
        acquired.customer_id,
        acquired.acquisition_month,
        acquired.first_paid_at,
        {{ reporting_month(dbt.dateadd('day', 90, 'acquired.first_paid_at')) }} as day_90_month,
        coalesce(
            nullif(
                concat_ws(
                    '+',
                    case when onboarding.has_welcome_email then 'welcome_email' end,
                    case when onboarding.has_onboarding_call then 'onboarding_call' end,
                    case when onboarding.has_chatbot_onboarding then 'chatbot_onboarding' end
                ),
                ''
            ),
            'none'
        ) as onboarding_bucket
    from acquired
    left join onboarding
        on acquired.customer_id = onboarding.customer_id
),

final as (
    select
        bucketed.customer_id,
        bucketed.acquisition_month,
        bucketed.first_paid_at,
        bucketed.onboarding_bucket,
        bucketed.day_90_month,
        bucketed.day_90_month <= as_of.as_of_month as is_measurable_90d,
        bucketed.day_90_month <= as_of.as_of_month and coalesce(customer_mrr.mrr, 0) > 0 as is_retained_90d
    from bucketed
    cross join as_of
    left join customer_mrr
        on
            bucketed.customer_id = customer_mrr.customer_id
            and bucketed.day_90_month = customer_mrr.month
)

select * from final
