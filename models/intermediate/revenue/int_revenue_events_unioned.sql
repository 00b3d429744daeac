{#- Revenue events (METRICS.md, revenue): paid invoice amounts at paid_at (before tax, at the
    rate of the issue date) and refunds, negative, at refunded_at (at the refund date's rate). -#}
with

paid_invoices as (
    select
        invoice_id as event_id,
        'invoice' as event_type,
        customer_id,
        paid_at as event_at,
        amount
    from {{ ref('stg_billing__invoices') }}
    where status = 'paid' and paid_at is not null
),

refunds as (
    select
        refunds.refund_id as event_id,
        'refund' as event_type,
        invoices.customer_id,
        refunds.refunded_at as event_at,
        -refunds.amount as amount
    from {{ ref('stg_billing__refunds') }} as refunds
    left join {{ ref('stg_billing__invoices') }} as invoices
        on refunds.invoice_id = invoices.invoice_id
),

unioned as (
    select * from paid_invoices
    union all
    select * from refunds
),

final as (
    select
        *,
        {{ reporting_month('event_at') }} as event_month
    from unioned
)

select * from final
