{#- Acquisition month x onboarding bucket (MARTS.md): does onboarding keep customers?
    customers acquired, those measurable at 90 days (day 90's month is covered), those
    retained at 90 days, and the 90-day churn rate = 1 - retained / measurable. -#}
with

customers as (
    select * from {{ ref('int_customers_onboarded') }}
),

aggregated as (
    select
        acquisition_month,
        onboarding_bucket,
        count(*) as customers,
        sum(case when is_measurable_90d then 1 else 0 end) as customers_measurable_90d,
        sum(case when is_retained_90d then 1 else 0 end) as retained_90d
    from customers
    group by acquisition_month, onboarding_bucket
),

final as (
    select
        cast(acquisition_month as date) as acquisition_month,
        cast(onboarding_bucket as {{ dbt.type_string() }}) as onboarding_bucket,
        cast(onboarding_bucket <> 'none' as {{ dbt.type_boolean() }}) as has_onboarding,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(customers_measurable_90d as {{ dbt.type_bigint() }}) as customers_measurable_90d,
        cast(retained_90d as {{ dbt.type_bigint() }}) as retained_90d,
        cast(
            {{ safe_ratio('customers_measurable_90d - retained_90d', 'customers_measurable_90d') }}
            as {{ type_double() }}
        ) as churn_90d_rate
    from aggregated
)

select * from final
