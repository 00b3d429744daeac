{#- MRR-bearing invoices (METRICS.md, mrr): subscription invoices with status paid or open and
    a service period, their monthly amount = amount at the customer's constant MRR rate /
    period_months. The constant rate (as in ChartMogul) is the rate on the issue date of the
    customer's first MRR-bearing invoice in that currency, so exchange-rate moves create no
    MRR movement. period_months = max(1, round(days / 30.4375)), half away from zero. -#}
with

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
    where
        is_subscription_invoice
        and status in ('paid', 'open')
        and period_start is not null
        and period_end is not null
),

with_constant_rate as (
    select
        *,
        first_value(fx_rate_to_reporting) over (
            partition by customer_id, currency
            order by issued_at, invoice_id
            rows between unbounded preceding and unbounded following
        ) as mrr_fx_rate,
        {{ dbt.datediff('period_start', 'period_end', 'day') }} as period_days -- noqa: LT05
    from invoices
),

with_period_months as (
    select
        *,
        greatest(1, round(period_days / 30.4375)) as period_months
    from with_constant_rate
),

final as (
    select
        invoice_id,
        customer_id,
        subscription_id,
        issued_at,
        period_start,
        period_end,
        status,
        currency,
        amount_original,
        mrr_fx_rate,
        period_months,
        amount_original * mrr_fx_rate / period_months as monthly_amount
    from with_period_months
)

select * from final
