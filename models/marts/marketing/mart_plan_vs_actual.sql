{#- Every marketing_plan row with the actual value of its metric for its month and channel
    (METRICS.md, "Plan vs actual"): empty channel = whole business; where the marts have no
    row, additive metrics are 0 and ratios NULL. attainment = actual / target (NULL when the
    target is 0); is_on_track: actual >= target, or actual <= target where lower is better;
    NULL when actual is NULL. cr2 is a cohort metric: its row also says whether the cohort
    is mature for 90 days and carries the projected 90-day cr2 (projected_actual), judged
    the same way (is_projected_on_track); for every other metric projected_actual = actual.
-#}
{%- set metrics = plan_metrics() %}


with

plan as (
    select * from {{ ref('marketing_plan') }}
),

business_actuals as (
    {%- for metric in metrics %}
        select
            month,
            '{{ metric }}' as metric,
            cast({{ metric }} as {{ type_double() }}) as actual
        from {{ ref('mart_cmo_kpis_monthly') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

channel_actuals as (
    {%- for metric, spec in metrics.items() if spec.per_channel %}
        select
            month,
            channel,
            '{{ metric }}' as metric,
            cast({{ metric }} as {{ type_double() }}) as actual
        from {{ ref('mart_marketing_monthly') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

matched as (
    select
        plan.month,
        plan.channel,
        plan.metric,
        plan.target,
        case
            when plan.channel is null then business_actuals.actual
            else channel_actuals.actual
        end as matched_actual,
        case
            when plan.channel is null then business_actuals.metric is not null
            else channel_actuals.metric is not null
        end as has_mart_row
    from plan
    left join business_actuals
        on
            plan.channel is null
            and plan.month = business_actuals.month
            and plan.metric = business_actuals.metric
    left join channel_actuals
        on
            plan.month = channel_actuals.month
            and plan.channel = channel_actuals.channel
            and plan.metric = channel_actuals.metric
),

cohorts as (
    select
        month,
        cast(null as {{ dbt.type_string() }}) as channel,
        is_mature_90d,
        projected_cr2_90d
    from {{ ref('mart_cmo_kpis_monthly') }}
    union all
    select
        month,
        channel,
        is_mature_90d,
        projected_cr2_90d
    from {{ ref('mart_funnel_cohorts') }}
),

with_actual as (
    select
        *,
        case
            when has_mart_row then matched_actual
            {%- for metric, spec in metrics.items() if spec.additive %}
                when metric = '{{ metric }}' then 0.0
            {%- endfor %}
        end as actual
    from matched
),

with_projection as (
    select
        with_actual.*,
        case
            when with_actual.metric = 'cr2' then coalesce(cohorts.is_mature_90d, false)
            else true
        end as is_mature,
        case
            when with_actual.metric = 'cr2' then cohorts.projected_cr2_90d
            else with_actual.actual
        end as projected_actual
    from with_actual
    left join cohorts
        on
            with_actual.metric = 'cr2'
            and with_actual.month = cohorts.month
            and coalesce(with_actual.channel, '') = coalesce(cohorts.channel, '')
),

final as (
    select
        cast(month as date) as month,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(target as {{ type_double() }}) as target,
        cast(actual as {{ type_double() }}) as actual,
        cast({{ safe_ratio('actual', 'target') }} as {{ type_double() }}) as attainment,
        cast({{ plan_on_track('actual', 'metric', 'target') }} as {{ dbt.type_boolean() }}) as is_on_track,
        cast(
            case
                {%- for metric, spec in metrics.items() if spec.lower_is_better %}
                    when metric = '{{ metric }}' then true
                {%- endfor %}
                else false
            end as {{ dbt.type_boolean() }}
        ) as is_lower_better,
        cast(is_mature as {{ dbt.type_boolean() }}) as is_mature,
        cast(projected_actual as {{ type_double() }}) as projected_actual,
        cast({{ plan_on_track('projected_actual', 'metric', 'target') }} as {{ dbt.type_boolean() }})
            as is_projected_on_track
    from with_projection
)

select * from final
