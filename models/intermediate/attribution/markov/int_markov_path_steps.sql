{#- The paths of the Markov chain (METRICS.md, "Data-driven attribution"), one row per step:
    a valid lead's path is the channels of its touchpoints in order (converting); a visitor_id
    with sessions and no valid lead has the channels of its sessions that started in
    [last session start - attribution_window_days, last session start], in order, ties by
    session_id (non-converting); a lead's touchpoints are in the same order (time, then
    session_id). Consecutive equal channels merge into one step. Only rows up
    to as_of_date count; sessions without a visitor_id are on no path.

    Incremental by path (macros/incremental/markov_paths_to_replace.sql): a run recomputes
    the paths of the lead days and visitors whose touchpoints or sessions changed since its
    last run. It rebuilds in full by itself when its SQL, the sessions' or leads' landing
    settings, the channel_mapping seed or a var below changed. -#}
{{ config(
    materialized=lead_day_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'incremental_inputs': {
        'landing_tables': ['sessions', 'leads'],
        'seeds': ['channel_mapping'],
        'vars': [
            'attribution_window_days', 'as_of_date', 'reporting_timezone',
            'click_id_sources', 'search_engine_domains',
        ],
    }},
    post_hook=["{{ delete_replaced_markov_paths() }}"],
) }}
{%- set replaced = markov_paths_to_replace() %}

with

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_months_covered') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_collected') }}
    {%- if is_incremental() %}
        where {{ replaced_lead_days_predicate(
            'lead_created_day', {'from': none, 'days': replaced['lead_days']}) }}
    {%- endif %}
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

valid_leads as (
    select
        leads.visitor_id,
        leads.created_at
    from leads
    cross join as_of
    where
        leads.is_valid
        and {{ reporting_date('leads.created_at') }} <= as_of.as_of_date
),

sessions as (
    select
        sessions.visitor_id,
        sessions.session_id,
        sessions.started_at,
        sessions.landing_partition_date,
        sessions.channel
    from {{ ref('int_sessions_classified') }} as sessions
    cross join as_of
    where
        sessions.visitor_id is not null
        and {{ reporting_date('sessions.started_at') }} <= as_of.as_of_date
        and not exists (
            select 1 from valid_leads
            where valid_leads.visitor_id = sessions.visitor_id
        )
        {%- if is_incremental() %}
            and sessions.visitor_id in ({{ markov_visitors_to_replace(replaced, this) }})
        {%- endif %}
),

visitor_sessions as (
    select
        *,
        max(started_at) over (partition by visitor_id) as last_started_at,
        max(landing_partition_date) over (partition by visitor_id) as last_session_day
    from sessions
),

converting_touches as (
    select
        touchpoints.lead_id as path_id,
        true as is_converting,
        touchpoints.touchpoint_at as touch_at,
        touchpoints.session_id,
        touchpoints.channel,
        leads.visitor_id,
        touchpoints.lead_created_day,
        cast(null as date) as last_session_day
    from touchpoints
    left join leads
        on touchpoints.lead_id = leads.lead_id
    cross join as_of
    where {{ reporting_date('touchpoints.lead_created_at') }} <= as_of.as_of_date
),

non_converting_touches as (
    select
        visitor_id as path_id,
        false as is_converting,
        started_at as touch_at,
        session_id,
        channel,
        visitor_id,
        cast(null as date) as lead_created_day,
        last_session_day
    from visitor_sessions
    where
        started_at
        >= {{ dbt.dateadd('day', -(var('attribution_window_days') | int), 'last_started_at') }}
),

touches as (
    select * from converting_touches
    union all
    select * from non_converting_touches
),

step_starts as (
    select
        *,
        lag(channel) over (
            partition by is_converting, path_id order by touch_at, session_id
        ) as previous_channel
    from touches
),

final as (
    select
        path_id,
        is_converting,
        row_number() over (
            partition by is_converting, path_id order by touch_at, session_id
        ) as step_number,
        channel,
        visitor_id,
        lead_created_day,
        last_session_day,
        {{ run_written_at() }} as written_at,
        greatest(
            {{ upstream_written_through(ref('int_sessions_classified')) }},
            {{ upstream_written_through(ref('int_touchpoints_collected')) }}
        ) as upstream_written_through,
        cast('{{ incremental_settings_fingerprint() }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint
    from step_starts
    where previous_channel is null or previous_channel != channel
)

select * from final
