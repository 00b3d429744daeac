with

checked_rows as (
    select * from {{ ref('base_crm__activities') }}
    where quarantine_rule is null
),

final as (
    select
        activity_id,
        lead_id,
        deal_id,
        customer_id,
        owner_id,
        type as activity_type,
        started_at,
        duration_seconds,
        outcome
    from checked_rows
)

select * from final
