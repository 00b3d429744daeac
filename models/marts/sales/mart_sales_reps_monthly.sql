{#- Month x sales rep (MARTS.md): the rep's valid leads by lead cohort, how fast and how well
    they were worked, and a performance index that separates lead quality from sales
    handling: expected_won_leads = sum over the rep's leads of the cr2 of that lead's channel
    in the same month across all reps; performance_index = won_leads / expected_won_leads.
    A rep given worse leads is not blamed for them. The index carries its 90% interval
    (exact Poisson on won_leads against expected_won_leads), for the month and for the three
    months ending with it; a rep is below expectation only when the whole trailing interval
    is below 1. -#}
with

months as (
    select * from {{ ref('int_months_covered') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

assigned_leads as (
    select * from {{ ref('fct_leads') }}
    where is_valid and owner_id is not null
),

reps as (
    select
        user_id as owner_id,
        full_name as rep_name
    from users
    where role = 'sales_rep'
    union
    select distinct
        assigned_leads.owner_id,
        users.full_name as rep_name
    from assigned_leads
    left join users
        on assigned_leads.owner_id = users.user_id
),

channel_win_rates as (
    select
        lead_month,
        channel,
        {%- set won = 'case when is_won then cast(1 as ' ~ type_double() ~ ') else 0 end' %}
        {{ safe_ratio('sum(' ~ won ~ ')', 'count(*)') }} as channel_cr2
    from assigned_leads
    group by lead_month, channel
),

rep_months as (
    select
        assigned_leads.lead_month as month,
        assigned_leads.owner_id,
        count(*) as leads_assigned,
        sum(case when assigned_leads.is_contacted then 1 else 0 end) as contacted_leads,
        {{ median('assigned_leads.speed_to_lead_minutes') }} as speed_to_lead_minutes,
        sum(case when assigned_leads.has_deal then 1 else 0 end) as deals,
        sum(case when assigned_leads.is_won then 1 else 0 end) as won_leads,
        {{ fsum() }}(channel_win_rates.channel_cr2) as expected_won_leads
    from assigned_leads
    inner join channel_win_rates
        on
            assigned_leads.lead_month = channel_win_rates.lead_month
            and assigned_leads.channel = channel_win_rates.channel
    group by assigned_leads.lead_month, assigned_leads.owner_id
),

grid as (
    select
        months.month,
        reps.owner_id,
        reps.rep_name
    from months
    cross join reps
),

rep_grid as (
    select
        grid.month,
        grid.owner_id,
        grid.rep_name,
        rep_months.leads_assigned,
        rep_months.contacted_leads,
        rep_months.speed_to_lead_minutes,
        rep_months.deals,
        coalesce(rep_months.won_leads, 0) as won_leads,
        coalesce(rep_months.expected_won_leads, 0) as expected_won_leads
    from grid
    left join rep_months
        on
            grid.month = rep_months.month
            and grid.owner_id = rep_months.owner_id
),

trailing_sums as (
    select
        *,
        sum(won_leads) over (
            partition by owner_id order by month rows between 2 preceding and current row
        ) as trailing_3m_won_leads,
        {{ fsum() }}(expected_won_leads) over (
            partition by owner_id order by month rows between 2 preceding and current row
        ) as trailing_3m_expected_won_leads
    from rep_grid
),

bounds as (
    select * from {{ ref('poisson_interval_bounds') }}
),

intervals as (
    select
        trailing_sums.*,
        {{ poisson_bound_90('trailing_sums.won_leads', 'lower') }} as won_leads_lower_90,
        {{ poisson_bound_90('trailing_sums.won_leads', 'upper') }} as won_leads_upper_90
    from trailing_sums
    left join bounds
        on trailing_sums.won_leads = bounds.observed
),

trailing_intervals as (
    select
        intervals.*,
        {{ poisson_bound_90('intervals.trailing_3m_won_leads', 'lower') }} as trailing_won_leads_lower_90,
        {{ poisson_bound_90('intervals.trailing_3m_won_leads', 'upper') }} as trailing_won_leads_upper_90
    from intervals
    left join bounds
        on intervals.trailing_3m_won_leads = bounds.observed
),

final as (
    select
        cast(month as date) as month,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(rep_name as {{ dbt.type_string() }}) as rep_name,
        cast(coalesce(leads_assigned, 0) as {{ dbt.type_bigint() }}) as leads_assigned,
        cast(coalesce(contacted_leads, 0) as {{ dbt.type_bigint() }}) as contacted_leads,
        cast(speed_to_lead_minutes as {{ type_double() }}) as speed_to_lead_minutes,
        cast(coalesce(deals, 0) as {{ dbt.type_bigint() }}) as deals,
        cast(won_leads as {{ dbt.type_bigint() }}) as won_leads,
        cast({{ safe_ratio('won_leads', 'leads_assigned') }} as {{ type_double() }}) as cr2,
        cast(expected_won_leads as {{ type_double() }}) as expected_won_leads,
        cast({{ safe_ratio('won_leads', 'expected_won_leads') }} as {{ type_double() }}) as performance_index,
        cast({{ safe_ratio('won_leads_lower_90', 'expected_won_leads') }} as {{ type_double() }})
            as performance_index_lower_90,
        cast({{ safe_ratio('won_leads_upper_90', 'expected_won_leads') }} as {{ type_double() }})
            as performance_index_upper_90,
        cast(trailing_3m_won_leads as {{ dbt.type_bigint() }}) as trailing_3m_won_leads,
        cast(trailing_3m_expected_won_leads as {{ type_double() }}) as trailing_3m_expected_won_leads,
        cast({{ safe_ratio('trailing_3m_won_leads', 'trailing_3m_expected_won_leads') }} as {{ type_double() }})
            as trailing_3m_performance_index,
        cast({{ safe_ratio('trailing_won_leads_lower_90', 'trailing_3m_expected_won_leads') }} as {{ type_double() }})
            as trailing_3m_index_lower_90,
        cast({{ safe_ratio('trailing_won_leads_upper_90', 'trailing_3m_expected_won_leads') }} as {{ type_double() }})
            as trailing_3m_index_upper_90,
        cast(
            coalesce({{ safe_ratio('trailing_won_leads_upper_90', 'trailing_3m_expected_won_leads') }} < 1, false)
            as {{ dbt.type_boolean() }}
        ) as is_below_expectation_90
    from trailing_intervals
)

select * from final
