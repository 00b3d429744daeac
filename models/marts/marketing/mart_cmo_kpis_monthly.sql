{#- The whole business per month covered (METRICS.md): spend and fully loaded marketing
    cost, the lead funnel by lead cohort (with its 90-day cr2 once mature and its projection
    while young), new customers and CAC, revenue, the MRR bridge,
    churn, NRR, ARPA, LTV, LTV/CAC and payback. -#}
{%- set gross_margin = var('gross_margin') %}

with

months as (
    select * from {{ ref('int_months_covered') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
    where is_valid
),

mrr_movements as (
    select * from {{ ref('int_mrr_movements_classified') }}
),

cohorts as (
    select * from {{ ref('int_cohorts_monthly') }}
),

ad_spend_monthly as (
    select
        {{ month_of_date('date') }} as month,
        {{ fsum() }}(spend) as ad_spend
    from {{ ref('fct_ad_spend_daily') }}
    group by 1
),

other_costs_monthly as (
    select
        cost_month as month,
        {{ fsum() }}(amount) as other_marketing_cost
    from {{ ref('stg_finance__marketing_costs') }}
    group by 1
),

sessions_monthly as (
    select
        {{ reporting_month('started_at') }} as month,
        count(*) as sessions
    from {{ ref('int_sessions_classified') }}
    group by 1
),

leads_monthly as (
    select
        lead_month as month,
        count(*) as leads,
        sum(case when is_won then 1 else 0 end) as won_leads,
        {{ median('speed_to_lead_minutes') }} as speed_to_lead_minutes
    from leads
    group by 1
),

customers_monthly as (
    select
        acquisition_month as month,
        count(*) as new_customers
    from {{ ref('int_customers_acquired') }}
    group by 1
),

revenue_monthly as (
    select
        event_month as month,
        {{ fsum() }}(amount) as revenue
    from {{ ref('int_revenue_events_unioned') }}
    group by 1
),

mrr_monthly as (
    select
        month,
        {{ fsum() }}(mrr) as mrr,
        {{ fsum() }}(previous_mrr) as previous_mrr,
        {{ fsum() }}(case when movement = 'new' then movement_amount else 0 end) as new_mrr,
        {{ fsum() }}(case when movement = 'expansion' then movement_amount else 0 end) as expansion_mrr,
        {{ fsum() }}(case when movement = 'reactivation' then movement_amount else 0 end) as reactivation_mrr,
        {{ fsum() }}(case when movement = 'contraction' then -movement_amount else 0 end) as contraction_mrr,
        {{ fsum() }}(case when movement = 'churn' then -movement_amount else 0 end) as churned_mrr,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers,
        sum(case when previous_mrr > 0 then 1 else 0 end) as previous_active_customers,
        sum(case when movement = 'churn' then 1 else 0 end) as churned_customers
    from mrr_movements
    group by 1
),

joined as (
    select
        months.month,
        coalesce(ad_spend_monthly.ad_spend, 0) as ad_spend,
        coalesce(ad_spend_monthly.ad_spend, 0)
        + coalesce(other_costs_monthly.other_marketing_cost, 0) as marketing_cost,
        coalesce(sessions_monthly.sessions, 0) as sessions,
        coalesce(leads_monthly.leads, 0) as leads,
        coalesce(leads_monthly.won_leads, 0) as won_leads,
        leads_monthly.speed_to_lead_minutes,
        cohorts.cr2_90d,
        cohorts.is_mature_90d,
        cohorts.projected_won_leads_90d,
        coalesce(customers_monthly.new_customers, 0) as new_customers,
        coalesce(revenue_monthly.revenue, 0) as revenue,
        coalesce(mrr_monthly.mrr, 0) as mrr,
        coalesce(mrr_monthly.previous_mrr, 0) as previous_mrr,
        coalesce(mrr_monthly.new_mrr, 0) as new_mrr,
        coalesce(mrr_monthly.expansion_mrr, 0) as expansion_mrr,
        coalesce(mrr_monthly.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(mrr_monthly.contraction_mrr, 0) as contraction_mrr,
        coalesce(mrr_monthly.churned_mrr, 0) as churned_mrr,
        coalesce(mrr_monthly.active_customers, 0) as active_customers,
        coalesce(mrr_monthly.previous_active_customers, 0) as previous_active_customers,
        coalesce(mrr_monthly.churned_customers, 0) as churned_customers
    from months
    left join ad_spend_monthly on months.month = ad_spend_monthly.month
    left join other_costs_monthly on months.month = other_costs_monthly.month
    left join sessions_monthly on months.month = sessions_monthly.month
    left join leads_monthly on months.month = leads_monthly.month
    left join customers_monthly on months.month = customers_monthly.month
    left join revenue_monthly on months.month = revenue_monthly.month
    left join mrr_monthly on months.month = mrr_monthly.month
    left join cohorts on months.month = cohorts.month
),

rates as (
    select
        *,
        {{ kpi_ratio('customer_churn_rate') }} as customer_churn_rate,
        {{ kpi_ratio('arpa') }} as arpa,
        {{ kpi_ratio('cac') }} as cac
    from joined
),

with_churn_mean as (
    select
        *,
        avg(customer_churn_rate) over (
            order by month rows between 2 preceding and current row
        ) as mean_customer_churn_rate_3m
    from rates
),

final as (
    select
        cast(month as date) as month,
        cast(ad_spend as {{ type_double() }}) as ad_spend,
        cast(marketing_cost as {{ type_double() }}) as marketing_cost,
        cast(sessions as {{ dbt.type_bigint() }}) as sessions,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast({{ kpi_ratio('cpl') }} as {{ type_double() }}) as cpl,
        cast({{ kpi_ratio('cr1') }} as {{ type_double() }}) as cr1,
        cast({{ kpi_ratio('cr2') }} as {{ type_double() }}) as cr2,
        cast(cr2_90d as {{ type_double() }}) as cr2_90d,
        cast(is_mature_90d as {{ dbt.type_boolean() }}) as is_mature_90d,
        cast({{ safe_ratio('projected_won_leads_90d', 'leads') }} as {{ type_double() }})
            as projected_cr2_90d,
        cast(speed_to_lead_minutes as {{ type_double() }}) as speed_to_lead_minutes,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(cac as {{ type_double() }}) as cac,
        cast(revenue as {{ type_double() }}) as revenue,
        cast(mrr as {{ type_double() }}) as mrr,
        cast(new_mrr as {{ type_double() }}) as new_mrr,
        cast(expansion_mrr as {{ type_double() }}) as expansion_mrr,
        cast(reactivation_mrr as {{ type_double() }}) as reactivation_mrr,
        cast(contraction_mrr as {{ type_double() }}) as contraction_mrr,
        cast(churned_mrr as {{ type_double() }}) as churned_mrr,
        cast(active_customers as {{ dbt.type_bigint() }}) as active_customers,
        cast(customer_churn_rate as {{ type_double() }}) as customer_churn_rate,
        cast({{ kpi_ratio('gross_mrr_churn_rate') }} as {{ type_double() }})
            as gross_mrr_churn_rate,
        cast(
            {{ kpi_ratio('nrr') }}
            as {{ type_double() }}
        ) as nrr,
        cast(arpa as {{ type_double() }}) as arpa,
        cast({{ safe_ratio('arpa * ' ~ gross_margin, 'mean_customer_churn_rate_3m') }} as {{ type_double() }}) as ltv,
        cast(
            {{ safe_ratio(safe_ratio('arpa * ' ~ gross_margin, 'mean_customer_churn_rate_3m'), 'cac') }}
            as {{ type_double() }}
        ) as ltv_to_cac,
        cast(
            {{ payback_months('cac', gross_margin) }}
            as {{ type_double() }}
        ) as payback_months,
        cast(previous_mrr as {{ type_double() }}) as previous_mrr,
        cast(churned_customers as {{ dbt.type_bigint() }}) as churned_customers
    from with_churn_mean
)

select * from final
