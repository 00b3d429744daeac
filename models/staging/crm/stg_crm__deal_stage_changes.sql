with

checked_rows as (
    select * from {{ ref('base_crm__deal_stage_history') }}
    where quarantine_rule is null
),

final as (
    select
        deal_id,
        stage,
        entered_at
    from checked_rows
)

select * from final
