-- mart_onboarding_channels splits mart_onboarding_retention by channel: per acquisition month
-- and onboarded or not, its channels add up to the same customers, measurable customers and
-- retained customers. Returns each month and group that differs.

with

channels as (
    select
        acquisition_month,
        has_onboarding,
        sum(customers) as customers,
        sum(customers_measurable_90d) as customers_measurable_90d,
        sum(retained_90d) as retained_90d
    from {{ ref('mart_onboarding_channels') }}
    group by acquisition_month, has_onboarding
),

buckets as (
    select
        acquisition_month,
        has_onboarding,
        sum(customers) as customers,
        sum(customers_measurable_90d) as customers_measurable_90d,
        sum(retained_90d) as retained_90d
    from {{ ref('mart_onboarding_retention') }}
    group by acquisition_month, has_onboarding
)

select
    coalesce(buckets.acquisition_month, channels.acquisition_month) as acquisition_month,
    coalesce(buckets.has_onboarding, channels.has_onboarding) as has_onboarding
from buckets
full outer join channels
    on
        buckets.acquisition_month = channels.acquisition_month
        and buckets.has_onboarding = channels.has_onboarding
where
    abs(coalesce(buckets.customers, 0) - coalesce(channels.customers, 0)) > 1e-6
    or abs(coalesce(buckets.customers_measurable_90d, 0) - coalesce(channels.customers_measurable_90d, 0)) > 1e-6
    or abs(coalesce(buckets.retained_90d, 0) - coalesce(channels.retained_90d, 0)) > 1e-6
