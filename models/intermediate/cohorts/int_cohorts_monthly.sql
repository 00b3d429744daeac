{#- Whole-business lead cohorts, one row per month covered (METRICS.md, "Cohort maturity and
    projections"): what mart_cmo_kpis_monthly and mart_plan_vs_actual show for cr2_90d,
    is_mature_90d and projected_cr2_90d. -#}
with

months as (
    select * from {{ ref('int_months_covered') }}
),

valued as (
    select * from {{ ref('int_leads_cohort_valued') }}
),

reference as (
    select count(*) > 0 as has_reference_cohort from {{ ref('int_cohort_win_curve') }}
),

cohorts as (
    select
        valued.lead_month,
        {{ cohort_sums('1') }}
    from valued
    group by valued.lead_month
),

final as (
    select
        months.month,
        coalesce(cohorts.leads, 0) as leads,
        {{ cohort_columns('cohorts', 'months.month', 'months', 'reference') }}
    from months
    cross join reference
    left join cohorts
        on months.month = cohorts.lead_month
)

select * from final
