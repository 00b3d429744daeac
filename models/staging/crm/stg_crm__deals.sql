with

checked_rows as (
    select * from {{ ref('base_crm__deals') }}
    where quarantine_rule is null
),

final as (
    select
        deal_id,
        lead_id,
        created_at,
        owner_id,
        pipeline,
        stage,
        amount as amount_original,
        currency,
        closed_at,
        is_won,
        lost_reason
    from checked_rows
)

select * from final
