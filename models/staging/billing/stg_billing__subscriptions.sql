with

checked_rows as (
    select * from {{ ref('base_billing__subscriptions') }}
    where quarantine_rule is null
),

final as (
    select
        subscription_id,
        customer_id,
        plan_id,
        status,
        started_at,
        canceled_at,
        billing_interval,
        currency
    from checked_rows
)

select * from final
