{#- Every valid lead's contribution to its cohort's counts (METRICS.md, "Cohort maturity
    and projections"): won within 30, 60 and 90 days, and its projected value: 1 when won
    within 90 days, else h(its age) (NULL when there is no reference cohort). -#}
with

leads as (
    select * from {{ ref('int_leads_cohort_aged') }}
),

win_curve as (
    select * from {{ ref('int_cohort_win_curve') }}
),

has_reference as (
    select count(*) > 0 as has_reference_cohort from win_curve
),

final as (
    select
        leads.lead_id,
        leads.lead_month,
        leads.is_won,
        {%- for days in [30, 60, 90] %}
            case when leads.won_after_seconds <= {{ days * 86400 }} then 1 else 0 end as won_{{ days }}d,
            leads.is_mature_{{ days }}d,
        {%- endfor %}
        case
            when not has_reference.has_reference_cohort then null
            when leads.won_after_seconds <= {{ 90 * 86400 }} then 1.0
            else win_curve.win_hazard_to_90d
        end as projected_won_90d
    from leads
    cross join has_reference
    left join win_curve
        on leads.age_days = win_curve.age_days
)

select * from final
