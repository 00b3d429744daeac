{#- Acquisition month x channel x onboarded or not: the customers of mart_onboarding_retention
    split by their acquisition channel (credit-weighted under var attribution_model, so the
    channels add up to the month's customers), for a comparison of 90-day churn with and
    without onboarding within each channel: does the effect survive the channel mix? -#}
with

customers as (
    select * from {{ ref('int_customers_onboarded') }}
),

credits as (
    select
        customer_id,
        channel,
        credit
    from {{ ref('int_customer_channel_credits') }}
),

aggregated as (
    select
        customers.acquisition_month,
        credits.channel,
        customers.onboarding_bucket <> 'none' as has_onboarding,
        {{ fsum() }}(credits.credit) as customers,
        {{ fsum() }}(case when customers.is_measurable_90d then credits.credit else 0 end)
            as customers_measurable_90d,
        {{ fsum() }}(case when customers.is_retained_90d then credits.credit else 0 end) as retained_90d
    from customers
    inner join credits
        on customers.customer_id = credits.customer_id
    group by customers.acquisition_month, credits.channel, customers.onboarding_bucket <> 'none'
),

final as (
    select
        cast(acquisition_month as date) as acquisition_month,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(has_onboarding as {{ dbt.type_boolean() }}) as has_onboarding,
        cast(customers as {{ type_double() }}) as customers,
        cast(customers_measurable_90d as {{ type_double() }}) as customers_measurable_90d,
        cast(retained_90d as {{ type_double() }}) as retained_90d,
        cast(
            {{ safe_ratio('customers_measurable_90d - retained_90d', 'customers_measurable_90d') }}
            as {{ type_double() }}
        ) as churn_90d_rate
    from aggregated
)

select * from final
