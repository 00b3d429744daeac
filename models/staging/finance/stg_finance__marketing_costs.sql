with

checked_rows as (
    select * from {{ ref('base_finance__marketing_costs') }}
    where quarantine_rule is null
),

final as (
    select
        month as cost_month,
        channel,
        cost_type,
        amount as amount_original,
        currency,
        fx_rate_to_reporting,
        amount * fx_rate_to_reporting as amount
    from checked_rows
)

select * from final
