{#- Customer x month MRR movements (METRICS.md, "mrr movements"): a row where this month's or
    the previous month's MRR is > 0; previous = 0 before the first month. `new` (previous 0,
    never any MRR before), `reactivation` (previous 0, MRR in some earlier month),
    `expansion`, `contraction`, `churn`, `unchanged`; movement_amount = current - previous.

    Incremental by customer (macros/incremental/incremental_by_customer.sql), as
    int_customer_mrr_monthly: a run recomputes the customers whose MRR-bearing invoices
    changed, and every customer's months later than the latest month the table holds. -#}
{{ incremental_by_customer_config(meta={'incremental_inputs': {'landing_tables': ['invoices']}}) }}

with

months as (
    select * from {{ ref('int_months_covered') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_monthly') }}
    {%- if is_incremental() %}
        {#- every month of the customers a row recomputed below belongs to: the replaced
            ones, and when months later than the stored ones are covered, those with MRR
            there or the month before (the first month of a churn row) #}
        where
            customer_id in ({{ customers_to_replace() }})
            or customer_id in (
                select customer_id from {{ ref('int_customer_mrr_monthly') }}
                where
                    month >= {{ latest_stored_month() }}
                    and exists (
                        select 1 from months
                        where months.month > {{ latest_stored_month() }}
                    )
            )
    {%- endif %}
),

first_mrr_months as (
    select
        customer_id,
        min(month) as first_mrr_month
    from customer_mrr
    group by customer_id
),

mrr_and_following_months as (
    select
        customer_id,
        month
    from customer_mrr
    union
    select
        customer_mrr.customer_id,
        months.month
    from customer_mrr
    inner join months
        on customer_mrr.month = months.previous_month
),

customer_months as (
    select * from mrr_and_following_months
    where ({{ replaced_customer_months('customer_id', 'month') | join(') or (') }})
),

compared as (
    select
        customer_months.customer_id,
        customer_months.month,
        coalesce(current_mrr.mrr, 0) as mrr,
        coalesce(previous_mrr.mrr, 0) as previous_mrr,
        first_mrr_months.first_mrr_month
    from customer_months
    inner join first_mrr_months
        on customer_months.customer_id = first_mrr_months.customer_id
    left join customer_mrr as current_mrr
        on
            customer_months.customer_id = current_mrr.customer_id
            and customer_months.month = current_mrr.month
    left join customer_mrr as previous_mrr
        on
            customer_months.customer_id = previous_mrr.customer_id
            and customer_months.month = cast({{ dbt.dateadd('month', 1, 'previous_mrr.month') }} as date)
),

movements as (
    select
        customer_id,
        month,
        mrr,
        previous_mrr,
        {{ mrr_movement('mrr', 'previous_mrr', 'month', 'first_mrr_month') }} as movement,
        mrr - previous_mrr as movement_amount
    from compared
),

final as (
    {{ customer_rows_stamped('movements') }}
)

select * from final
