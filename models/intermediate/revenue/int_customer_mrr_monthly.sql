{#- Each customer's MRR at each month end where it is > 0 (METRICS.md, mrr): the invoices
    with period_start <= last day of the month < period_end. -#}
{{ config(materialized='table') }}
with

invoices as (
    select * from {{ ref('int_invoices_mrr_converted') }}
),

months as (
    select * from {{ ref('int_months_covered') }}
),

final as (
    select
        invoices.customer_id,
        months.month,
        {{ fsum() }}(invoices.monthly_amount) as mrr
    from invoices
    inner join months
        on
            invoices.period_start <= months.month_end_date
            and invoices.period_end > months.month_end_date
    group by invoices.customer_id, months.month
    having {{ fsum() }}(invoices.monthly_amount) > 0
)

select * from final
