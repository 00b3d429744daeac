-- mart_attribution_comparison's rows of var attribution_model are mart_marketing_monthly's
-- (leads, new customers, CPL, CAC per month and channel), and every model credits the same
-- total leads and new customers per month (credits move between channels, never a total).
-- Returns each row that differs by more than float noise.

with

comparison as (
    select * from {{ ref('mart_attribution_comparison') }}
),

marketing as (
    select * from {{ ref('mart_marketing_monthly') }}
),

selected_differs as (
    select
        comparison.month,
        comparison.channel,
        comparison.attribution_model,
        'differs from mart_marketing_monthly' as problem
    from comparison
    inner join marketing
        on
            comparison.month = marketing.month
            and comparison.channel = marketing.channel
    where
        comparison.attribution_model = '{{ selected_attribution_model() }}'
        and (
            abs(comparison.leads - marketing.leads) > 1e-9
            or abs(comparison.new_customers - marketing.new_customers) > 1e-9
            or coalesce(abs(comparison.cpl - marketing.cpl), 0) > 1e-9 * greatest(abs(marketing.cpl), 1)
            or coalesce(abs(comparison.cac - marketing.cac), 0) > 1e-9 * greatest(abs(marketing.cac), 1)
            or (comparison.cpl is null) != (marketing.cpl is null)
            or (comparison.cac is null) != (marketing.cac is null)
        )
),

model_totals as (
    select
        month,
        attribution_model,
        sum(leads) as leads,
        sum(new_customers) as new_customers
    from comparison
    group by month, attribution_model
),

totals_differ as (
    select
        model_totals.month,
        cast(null as {{ dbt.type_string() }}) as channel,
        model_totals.attribution_model,
        'total differs from the selected model' as problem
    from model_totals
    inner join model_totals as selected
        on
            model_totals.month = selected.month
            and selected.attribution_model = '{{ selected_attribution_model() }}'
    where
        abs(model_totals.leads - selected.leads) > 1e-6
        or abs(model_totals.new_customers - selected.new_customers) > 1e-6
)

select * from selected_differs
union all
select * from totals_differ
