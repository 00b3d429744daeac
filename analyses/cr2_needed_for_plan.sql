-- What CR2 (lead -> sale) would meet next month's plan, and, alternatively, how many leads
-- at today's CR2 and what ad spend at today's CPL?
--
-- "Today" is the latest month covered (as_of_month); "next month" is the month after it.
-- For each whole-business plan row of next month with metric `new_customers` or `revenue`:
--   customers_needed  new_customers: the target; revenue: (target - today's MRR) / today's
--                     ARPA, the new customers whose MRR closes the gap (0 if there is none)
--   cr2_needed        customers_needed / today's leads (same lead volume, better conversion)
--   leads_needed      customers_needed / today's CR2 (same conversion, more leads)
--   ad_spend_needed   leads_needed x today's CPL
-- One row per plan row; NULL where today's denominator is 0 (METRICS.md ratio rule).
-- Run: dbt compile --select cr2_needed_for_plan, then run target/compiled/.../cr2_needed_for_plan.sql

with

kpis as (
    select * from {{ ref('mart_cmo_kpis_monthly') }}
),

today as (
    select *
    from kpis
    where month = (select max(kpis_latest.month) from kpis as kpis_latest)
),

next_month_plan as (
    select plan.*
    from {{ ref('marketing_plan') }} as plan
    cross join today
    where
        plan.channel is null
        and plan.metric in ('new_customers', 'revenue')
        and plan.month = cast({{ dbt.dateadd('month', 1, 'today.month') }} as date)
),

needed as (
    select
        next_month_plan.month as plan_month,
        next_month_plan.metric as plan_metric,
        next_month_plan.target,
        today.month as current_month,
        today.leads as current_leads,
        today.cr2 as current_cr2,
        today.cpl as current_cpl,
        today.arpa as current_arpa,
        today.mrr as current_mrr,
        case
            when next_month_plan.metric = 'new_customers' then next_month_plan.target
            else greatest(next_month_plan.target - today.mrr, 0) / nullif(today.arpa, 0)
        end as customers_needed
    from next_month_plan
    cross join today
),

final as (
    select
        *,
        customers_needed / nullif(current_leads, 0) as cr2_needed,
        customers_needed / nullif(current_cr2, 0) as leads_needed,
        customers_needed / nullif(current_cr2, 0) * current_cpl as ad_spend_needed
    from needed
)

select * from final
