-- Each fct_mrr_monthly row chains onto the customer's previous month (METRICS.md, "mrr
-- movements"): previous_mrr is the customer's mrr in the month before (0 without a row),
-- movement_amount = mrr - previous_mrr, the movement fits the two amounts, and no row has
-- both at 0. Returns the rows that break it.
with

mrr_monthly as (
    select * from {{ ref('fct_mrr_monthly') }}
),

first_mrr_months as (
    select
        customer_id,
        min(month) as first_mrr_month
    from mrr_monthly
    where mrr > 0
    group by customer_id
),

chained as (
    select
        mrr_monthly.*,
        coalesce(previous_rows.mrr, 0) as mrr_of_previous_row,
        case
            when mrr_monthly.previous_mrr = 0 and mrr_monthly.mrr > 0
                and mrr_monthly.month = first_mrr_months.first_mrr_month then 'new'
            when mrr_monthly.previous_mrr = 0 and mrr_monthly.mrr > 0 then 'reactivation'
            when mrr_monthly.previous_mrr > 0 and mrr_monthly.mrr = 0 then 'churn'
            when mrr_monthly.mrr > mrr_monthly.previous_mrr then 'expansion'
            when mrr_monthly.mrr < mrr_monthly.previous_mrr then 'contraction'
            when mrr_monthly.mrr > 0 then 'unchanged'
        end as expected_movement
    from mrr_monthly
    left join mrr_monthly as previous_rows
        on
            mrr_monthly.customer_id = previous_rows.customer_id
            and previous_rows.month = cast({{ dbt.dateadd('month', -1, 'mrr_monthly.month') }} as date)
    left join first_mrr_months
        on mrr_monthly.customer_id = first_mrr_months.customer_id
),

final as (
    select *
    from chained
    where
        {{ sums_differ('previous_mrr', 'mrr_of_previous_row') }}
        or {{ sums_differ('movement_amount', 'mrr - previous_mrr') }}
        or expected_movement is null
        or movement <> expected_movement
)

select * from final
