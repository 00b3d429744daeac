-- The MRR bridge holds in every month of mart_cmo_kpis_monthly (METRICS.md, "mrr bridge"):
-- mrr(m-1) + new + expansion + reactivation - contraction - churned = mrr(m), with mrr(m-1) = 0
-- before the first month covered. Returns the months where it is off by more than float noise
-- (sums_differ).
with

kpis as (
    select * from {{ ref('mart_cmo_kpis_monthly') }}
),

bridged as (
    select
        kpis.month,
        coalesce(previous_kpis.mrr, 0) as opening_mrr,
        kpis.new_mrr,
        kpis.expansion_mrr,
        kpis.reactivation_mrr,
        kpis.contraction_mrr,
        kpis.churned_mrr,
        kpis.mrr as closing_mrr,
        coalesce(previous_kpis.mrr, 0)
        + kpis.new_mrr
        + kpis.expansion_mrr
        + kpis.reactivation_mrr
        - kpis.contraction_mrr
        - kpis.churned_mrr as bridged_mrr
    from kpis
    left join kpis as previous_kpis
        on previous_kpis.month = cast({{ dbt.dateadd('month', -1, 'kpis.month') }} as date)
),

final as (
    select
        *,
        bridged_mrr - closing_mrr as difference
    from bridged
    where
        bridged_mrr is null
        or {{ sums_differ('bridged_mrr', 'closing_mrr') }}
        or least(new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr, churned_mrr) < 0
)

select * from final
