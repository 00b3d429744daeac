with

checked_rows as (
    select * from {{ ref('base_billing__invoices') }}
    where quarantine_rule is null
),

final as (
    select
        invoice_id,
        customer_id,
        subscription_id,
        subscription_id is not null as is_subscription_invoice,
        issued_at,
        period_start,
        period_end,
        status,
        paid_at,
        amount as amount_original,
        tax as tax_original,
        currency,
        fx_rate_to_reporting,
        amount * fx_rate_to_reporting as amount,
        tax * fx_rate_to_reporting as tax
    from checked_rows
)

select * from final
