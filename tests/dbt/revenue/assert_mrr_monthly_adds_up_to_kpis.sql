-- fct_mrr_monthly adds up to mart_cmo_kpis_monthly in every month covered: the customers' MRR,
-- the sizes of each kind of movement and the active customers (METRICS.md, mrr, mrr
-- movements, active_customers). Returns one row per month and measure that is off by more
-- than float noise (sums_differ).
{%- set measures = [
    'mrr', 'new_mrr', 'expansion_mrr', 'reactivation_mrr', 'contraction_mrr', 'churned_mrr',
    'active_customers',
] %}

with

kpis as (
    select * from {{ ref('mart_cmo_kpis_monthly') }}
),

mrr_monthly as (
    select * from {{ ref('fct_mrr_monthly') }}
),

customer_totals as (
    select
        month,
        sum(mrr) as mrr,
        sum(case when movement = 'new' then movement_amount else 0 end) as new_mrr,
        sum(case when movement = 'expansion' then movement_amount else 0 end) as expansion_mrr,
        sum(case when movement = 'reactivation' then movement_amount else 0 end) as reactivation_mrr,
        sum(case when movement = 'contraction' then -movement_amount else 0 end) as contraction_mrr,
        sum(case when movement = 'churn' then -movement_amount else 0 end) as churned_mrr,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers
    from mrr_monthly
    group by month
),

joined as (
    select
        coalesce(kpis.month, customer_totals.month) as month,
        kpis.month is not null as has_kpis_row,
        coalesce(kpis.mrr, 0) as kpis_mrr,
        coalesce(customer_totals.mrr, 0) as customers_mrr,
        coalesce(kpis.new_mrr, 0) as kpis_new_mrr,
        coalesce(customer_totals.new_mrr, 0) as customers_new_mrr,
        coalesce(kpis.expansion_mrr, 0) as kpis_expansion_mrr,
        coalesce(customer_totals.expansion_mrr, 0) as customers_expansion_mrr,
        coalesce(kpis.reactivation_mrr, 0) as kpis_reactivation_mrr,
        coalesce(customer_totals.reactivation_mrr, 0) as customers_reactivation_mrr,
        coalesce(kpis.contraction_mrr, 0) as kpis_contraction_mrr,
        coalesce(customer_totals.contraction_mrr, 0) as customers_contraction_mrr,
        coalesce(kpis.churned_mrr, 0) as kpis_churned_mrr,
        coalesce(customer_totals.churned_mrr, 0) as customers_churned_mrr,
        coalesce(kpis.active_customers, 0) as kpis_active_customers,
        coalesce(customer_totals.active_customers, 0) as customers_active_customers
    from kpis
    full outer join customer_totals
        on kpis.month = customer_totals.month
),

compared as (
    {%- for measure in measures %}
        select
            month,
            has_kpis_row,
            '{{ measure }}' as measure,
            kpis_{{ measure }} as kpis_value,
            customers_{{ measure }} as customers_value
        from joined
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select *
    from compared
    where
        not has_kpis_row
        or {{ sums_differ('kpis_value', 'customers_value') }}
)

select * from final
