with

checked_rows as (
    select * from {{ ref('base_crm__users') }}
    where quarantine_rule is null
),

final as (
    select
        user_id,
        full_name,
        team,
        role,
        hired_at
    from checked_rows
)

select * from final
