-- Does calling back fast sell? Valid leads by speed to lead (minutes from created_at to the
-- first call at or after it, METRICS.md) in buckets < 5 min, < 1 h, < 1 day, later, never,
-- with their CR2 (won_leads / leads). One row per bucket, in bucket order, over every lead
-- cohort covered (add a `where lead_month = ...` to look at one month).
-- Run: dbt compile --select speed_to_lead_vs_cr2

with

leads as (
    select * from {{ ref('fct_leads') }}
    where is_valid
),

bucketed as (
    select
        lead_id,
        is_won,
        case
            when first_call_at is null then 'never'
            when speed_to_lead_minutes < 5 then '< 5 min'
            when speed_to_lead_minutes < 60 then '< 1 h'
            when speed_to_lead_minutes < 1440 then '< 1 day'
            else 'later'
        end as speed_bucket,
        case
            when first_call_at is null then 5
            when speed_to_lead_minutes < 5 then 1
            when speed_to_lead_minutes < 60 then 2
            when speed_to_lead_minutes < 1440 then 3
            else 4
        end as bucket_order
    from leads
),

final as (
    select
        speed_bucket,
        bucket_order,
        count(*) as leads,
        sum(case when is_won then 1 else 0 end) as won_leads,
        sum(case when is_won then 1.0 else 0.0 end) / count(*) as cr2
    from bucketed
    group by speed_bucket, bucket_order
    order by bucket_order
)

select * from final
