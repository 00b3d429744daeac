-- Cohort retention matrix: acquisition month (first paid invoice with amount > 0) x months
-- since that month (0, 1, 2, ...): customers of the cohort with MRR > 0 at that month's end,
-- their share of the cohort, and the cohort's MRR then. One row per cohort and month since
-- acquisition, up to as_of_month (a BI pivot or the report turns it into a heatmap).
-- Run: dbt compile --select cohort_retention_matrix

with

acquired as (
    select * from {{ ref('int_customers_acquired') }}
),

months as (
    select * from {{ ref('int_months_covered') }}
),

mrr as (
    select * from {{ ref('fct_mrr_monthly') }}
    where mrr > 0
),

cohort_sizes as (
    select
        acquisition_month,
        count(*) as cohort_customers
    from acquired
    group by acquisition_month
),

cohort_months as (
    select
        cohort_sizes.acquisition_month,
        cohort_sizes.cohort_customers,
        months.month,
        {{ dbt.datediff('cohort_sizes.acquisition_month', 'months.month', 'month') }} -- noqa: LT05
            as months_since_acquisition
    from cohort_sizes
    inner join months
        on cohort_sizes.acquisition_month <= months.month
),

active as (
    select
        acquired.acquisition_month,
        mrr.month,
        count(*) as active_customers,
        sum(mrr.mrr) as cohort_mrr
    from acquired
    inner join mrr
        on acquired.customer_id = mrr.customer_id
    group by acquired.acquisition_month, mrr.month
),

final as (
    select
        cohort_months.acquisition_month,
        cohort_months.months_since_acquisition,
        cohort_months.month,
        cohort_months.cohort_customers,
        coalesce(active.active_customers, 0) as active_customers,
        coalesce(active.active_customers, 0) * 1.0 / cohort_months.cohort_customers as retention_rate,
        coalesce(active.cohort_mrr, 0) as cohort_mrr
    from cohort_months
    left join active
        on
            cohort_months.acquisition_month = active.acquisition_month
            and cohort_months.month = active.month
    order by cohort_months.acquisition_month, cohort_months.months_since_acquisition
)

select * from final
