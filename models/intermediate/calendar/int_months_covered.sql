{#- The months the monthly marts cover (METRICS.md, "Months covered"): from the month of the
    earliest event among the staged landing rows (ad rows, sessions, leads, deals created or
    closed, invoices issued or paid, refunds) to as_of_month, the month of as_of_date: the
    date of the latest such event, or var as_of_date. -#}
{{ config(materialized='table') }}
{#- The calendar spans the event dates LANDING.md rule 7 accepts (vars earliest_event_date ..
    latest_event_date, and as_of_date): no staged event lies outside it. -#}
{%- set event_range = event_date_range() %}
{%- set calendar_start = event_range.earliest[:7] ~ '-01' %}
{%- set calendar_start_date = "cast('" ~ calendar_start ~ "' as date)" %}
{%- set calendar_end = [event_range.latest, (var('as_of_date') or event_range.latest) | string] | max %}
{%- set calendar_month_count = (calendar_end[:4] | int - calendar_start[:4] | int) * 12
    + (calendar_end[5:7] | int - calendar_start[5:7] | int) + 1 %}

with

event_dates as (
    select date as event_date from {{ ref('int_ad_spend_unioned') }}
    union all
    select {{ reporting_date('started_at') }} as event_date from {{ ref('stg_web__sessions') }}
    union all
    select {{ reporting_date('created_at') }} as event_date from {{ ref('stg_crm__leads') }}
    union all
    select {{ reporting_date('created_at') }} as event_date from {{ ref('stg_crm__deals') }}
    union all
    select {{ reporting_date('closed_at') }} as event_date
    from {{ ref('stg_crm__deals') }}
    where closed_at is not null
    union all
    select {{ reporting_date('issued_at') }} as event_date from {{ ref('stg_billing__invoices') }}
    union all
    select {{ reporting_date('paid_at') }} as event_date
    from {{ ref('stg_billing__invoices') }}
    where paid_at is not null
    union all
    select {{ reporting_date('refunded_at') }} as event_date from {{ ref('stg_billing__refunds') }}
),

event_bounds as (
    select
        min(event_date) as first_event_date,
        {%- if var('as_of_date') %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else %}
            max(event_date) as as_of_date
        {%- endif %}
    from event_dates
),

bounds as (
    select
        as_of_date,
        {{ month_of_date('first_event_date') }} as first_month,
        {{ month_of_date('as_of_date') }} as as_of_month
    from event_bounds
),

month_numbers as (
    {{ dbt.generate_series(calendar_month_count) }}
),

calendar_months as (
    select
        cast({{ dbt.dateadd('month', 'generated_number - 1', calendar_start_date) }} as date) as month
    from month_numbers
),

final as (
    select
        calendar_months.month,
        bounds.as_of_month,
        bounds.as_of_date,
        {{ month_last_day('calendar_months.month') }} as month_end_date,
        cast({{ dbt.dateadd('month', -1, 'calendar_months.month') }} as date) as previous_month
    from calendar_months
    cross join bounds
    where
        calendar_months.month >= bounds.first_month
        and calendar_months.month <= bounds.as_of_month
)

select * from final
