{#- Each customer's MRR at each month end where it is > 0 (METRICS.md, mrr): the invoices
    with period_start <= last day of the month < period_end.

    Incremental by customer (macros/incremental/incremental_by_customer.sql): a run
    recomputes the customers whose MRR-bearing invoices changed, and every customer's months
    later than the latest month the table holds. -#}
{{ incremental_by_customer_config(meta={'incremental_inputs': {'landing_tables': ['invoices']}}) }}

with

invoices as (
    select * from {{ ref('int_invoices_mrr_converted') }}
),

months as (
    select * from {{ ref('int_months_covered') }}
),

invoice_months as (
    {#- one part on a full build; on an incremental run, the replaced customers, then the
        months later than the stored ones (each a range join of its own: an `or` across
        both sides would join every invoice to every month first) #}
    {%- for replaced in replaced_customer_months('invoices.customer_id', 'months.month') %}
        select
            invoices.customer_id,
            months.month,
            invoices.monthly_amount
        from invoices
        inner join months
            on
                invoices.period_start <= months.month_end_date
                and invoices.period_end > months.month_end_date
        where {{ replaced }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

customer_mrr as (
    select
        customer_id,
        month,
        {{ fsum() }}(monthly_amount) as mrr
    from invoice_months
    group by customer_id, month
    having {{ fsum() }}(monthly_amount) > 0
),

final as (
    {{ customer_rows_stamped('customer_mrr') }}
)

select * from final
