with

checked_rows as (
    select * from {{ ref('base_billing__customers') }}
    where quarantine_rule is null
),

final as (
    select
        customer_id,
        created_at,
        email,
        {{ normalize_email('email') }} as email_normalized,
        crm_deal_id,
        country
    from checked_rows
)

select * from final
