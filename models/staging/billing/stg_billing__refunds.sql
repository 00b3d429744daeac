with

checked_rows as (
    select * from {{ ref('base_billing__refunds') }}
    where quarantine_rule is null
),

final as (
    select
        refund_id,
        invoice_id,
        refunded_at,
        amount as amount_original,
        currency,
        fx_rate_to_reporting,
        amount * fx_rate_to_reporting as amount
    from checked_rows
)

select * from final
