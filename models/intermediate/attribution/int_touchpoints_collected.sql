{#- A valid lead's touchpoints (METRICS.md, "Attribution"): the sessions of its visitor_id
    that started in [created_at - attribution_window_days, created_at]; with none, one
    touchpoint at created_at from the lead's own UTMs; with no UTMs either, one `direct`
    touchpoint. Numbered by time, ties by session_id.

    Incremental by lead day (macros/incremental/incremental_by_lead_day.sql): a run replaces
    the lead days the sessions classified since its last run reach, and the days of the
    leads whose inputs changed. It rebuilds in full by itself when its SQL, the sessions' or
    leads' landing settings, the channel_mapping seed or a var below changed. -#}
{{ incremental_by_lead_day_config(
    meta={'incremental_inputs': {
        'landing_tables': ['sessions', 'leads'],
        'seeds': ['channel_mapping'],
        'vars': ['attribution_window_days', 'click_id_sources', 'search_engine_domains'],
    }},
    replaced_days='touchpoint_days_to_replace()',
) }}
{%- set replaced = touchpoint_days_to_replace() %}
{%- set replaced_days = ([replaced['from']] if replaced['from'] else []) + replaced['days'] %}

with

valid_leads as (
    select * from ({{ touchpoint_valid_leads() }}) as leads
    {%- if is_incremental() %}
        where {{ replaced_lead_days_predicate('lead_created_day', replaced) }}
    {%- endif %}
),

sessions as (
    select * from {{ ref('int_sessions_classified') }}
    {%- if is_incremental() and replaced_days %}
        where started_at >= {{ dbt.dateadd(
            'day',
            -(var('attribution_window_days') | int) - 1,
            "cast('" ~ (replaced_days | min) ~ "' as date)",
        ) }}
    {%- endif %}
),

session_touchpoints as (
    select
        valid_leads.lead_id,
        valid_leads.lead_created_day,
        valid_leads.lead_inputs_hash,
        valid_leads.created_at as lead_created_at,
        sessions.started_at as touchpoint_at,
        sessions.session_id,
        'session' as touchpoint_source,
        sessions.channel,
        sessions.channel_group,
        sessions.ad_platform,
        sessions.campaign_id
    from valid_leads
    inner join sessions
        on
            valid_leads.visitor_id = sessions.visitor_id
            and valid_leads.created_at >= sessions.started_at
            and sessions.started_at
            >= {{ dbt.dateadd('day', -(var('attribution_window_days') | int), 'valid_leads.created_at') }}
),

leads_without_sessions as (
    select
        valid_leads.lead_id,
        valid_leads.lead_created_day,
        valid_leads.lead_inputs_hash,
        valid_leads.created_at,
        valid_leads.utm_source is not null as has_utms,
        valid_leads.utm_source,
        valid_leads.utm_medium,
        valid_leads.utm_campaign,
        cast(null as {{ dbt.type_string() }}) as referrer_domain
    from valid_leads
    where not exists (
            select 1 from session_touchpoints
            where session_touchpoints.lead_id = valid_leads.lead_id
        )
),

lead_touchpoints_classified as (
    {{ classify_traffic('leads_without_sessions') }}
),

lead_touchpoints as (
    select
        lead_id,
        lead_created_day,
        lead_inputs_hash,
        created_at as lead_created_at,
        created_at as touchpoint_at,
        cast(null as {{ dbt.type_string() }}) as session_id,
        case when has_utms then 'lead_utms' else 'direct' end as touchpoint_source,
        channel,
        channel_group,
        ad_platform,
        case when ad_platform is not null then utm_campaign end as campaign_id
    from lead_touchpoints_classified
),

touchpoints as (
    select * from session_touchpoints
    union all
    select * from lead_touchpoints
),

final as (
    select
        lead_id,
        lead_created_at,
        touchpoint_at,
        session_id,
        touchpoint_source,
        channel,
        channel_group,
        ad_platform,
        campaign_id,
        row_number() over (
            partition by lead_id order by touchpoint_at, session_id
        ) as touchpoint_number,
        count(*) over (partition by lead_id) as touchpoint_count,
        {{ seconds_between('touchpoint_at', 'lead_created_at') }} / 86400.0 as touchpoint_age_days,
        lead_created_day,
        lead_inputs_hash,
        {{ run_written_at() }} as written_at,
        {{ upstream_written_through(ref('int_sessions_classified')) }} as upstream_written_through,
        cast('{{ incremental_settings_fingerprint() }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint
    from touchpoints
)

select * from final
