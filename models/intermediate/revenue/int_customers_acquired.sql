{#- New customers (METRICS.md, new_customers): a customer is acquired in the month of the
    paid_at of its first paid invoice with amount > 0. -#}
with

paid_invoices as (
    select * from {{ ref('stg_billing__invoices') }}
    where status = 'paid' and paid_at is not null and amount_original > 0
),

ranked as (
    select
        customer_id,
        paid_at,
        row_number() over (partition by customer_id order by paid_at, invoice_id) as payment_rank
    from paid_invoices
),

final as (
    select
        customer_id,
        paid_at as first_paid_at,
        {{ reporting_month('paid_at') }} as acquisition_month
    from ranked
    where payment_rank = 1
)

select * from final
