{#- h(a) for every age a = 0..90 days (METRICS.md, "Cohort maturity and projections"): the
    chance that a valid lead not won within a days is won within 90, learned from the
    reference leads, the valid leads of the (up to) 6 latest cohort months with valid leads
    that are mature for 90 days. h(a) = (W90 - W(a)) / (N - W(a)), W(a) the reference leads
    won within a x 24 hours; 0 when N = W(a). No rows when there is no reference cohort. -#}
with

leads as (
    select * from {{ ref('int_leads_cohort_aged') }}
),

reference_months as (
    select lead_month
    from (
        select
            lead_month,
            row_number() over (order by lead_month desc) as month_rank
        from leads
        where is_mature_90d
        group by lead_month
    ) as mature_months
    where month_rank <= 6
),

reference_leads as (
    select leads.won_after_seconds
    from leads
    inner join reference_months
        on leads.lead_month = reference_months.lead_month
),

ages as (
    select generated_number - 1 as age_days
    from ({{ dbt.generate_series(91) }}) as numbers
),

counted as (
    select
        ages.age_days,
        count(*) as reference_leads,
        sum(case when reference_leads.won_after_seconds <= ages.age_days * 86400 then 1 else 0 end)
            as won_within_age,
        sum(case when reference_leads.won_after_seconds <= 90 * 86400 then 1 else 0 end)
            as won_within_90d
    from ages
    cross join reference_leads
    group by ages.age_days
),

final as (
    select
        age_days,
        reference_leads,
        won_within_age,
        won_within_90d,
        case
            when reference_leads = won_within_age then 0.0
            else cast(won_within_90d - won_within_age as {{ type_double() }})
                / (reference_leads - won_within_age)
        end as win_hazard_to_90d
    from counted
)

select * from final
