{#- stage_win_probability (METRICS.md, "Open pipeline"): of all deals (with or without a
    lead) that entered the stage and closed in the 365 days up to as_of_date, the share won;
    with fewer than 20 such deals, the share over all deals closed in that window; NULL when
    none closed. A deal entered every stage of deal_stage_history and its current stage. -#}
with

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_months_covered') }}
),

deals as (
    select * from {{ ref('stg_crm__deals') }}
),

entered_stages as (
    select
        deal_id,
        stage
    from {{ ref('stg_crm__deal_stage_changes') }}
    union
    select
        deal_id,
        stage
    from deals
    where stage is not null
),

closed_in_window as (
    select
        deals.deal_id,
        coalesce(deals.is_won, false) as is_won
    from deals
    cross join as_of
    where
        deals.closed_at is not null
        and {{ reporting_date('deals.closed_at') }} <= as_of.as_of_date
        and {{ reporting_date('deals.closed_at') }} > {{ dbt.dateadd('day', -365, 'as_of.as_of_date') }}
),

overall as (
    select
        count(*) as closed_deals,
        sum(case when is_won then 1 else 0 end) as won_deals
    from closed_in_window
),

per_stage as (
    select
        entered_stages.stage,
        count(closed_in_window.deal_id) as closed_deals,
        sum(case when closed_in_window.is_won then 1 else 0 end) as won_deals
    from entered_stages
    left join closed_in_window
        on entered_stages.deal_id = closed_in_window.deal_id
    group by entered_stages.stage
),

final as (
    select
        per_stage.stage,
        per_stage.closed_deals as stage_closed_deals,
        case
            when per_stage.closed_deals >= 20
                then cast(per_stage.won_deals as {{ type_double() }}) / per_stage.closed_deals
            else {{ safe_ratio('cast(overall.won_deals as ' ~ type_double() ~ ')', 'overall.closed_deals') }}
        end as stage_win_probability
    from per_stage
    cross join overall
)

select * from final
