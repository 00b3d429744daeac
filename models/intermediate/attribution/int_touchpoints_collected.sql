{#- A valid lead's touchpoints (METRICS.md, "Attribution"): the sessions of its visitor_id
    that started in [created_at - attribution_window_days, created_at]; with none, one
    touchpoint at created_at from the lead's own UTMs; with no UTMs either, one `direct`
    touchpoint. Numbered by time, ties by session_id. -#}
{{ config(materialized='table') }}

with

valid_leads as (
    select
        lead_id,
        created_at,
        visitor_id,
        utm_source,
        utm_medium,
        utm_campaign
    from {{ ref('int_leads_deduplicated') }}
    where is_valid
),

sessions as (
    select * from {{ ref('int_sessions_classified') }}
),

session_touchpoints as (
    select
        valid_leads.lead_id,
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
        *,
        row_number() over (
            partition by lead_id order by touchpoint_at, session_id
        ) as touchpoint_number,
        count(*) over (partition by lead_id) as touchpoint_count,
        {{ seconds_between('touchpoint_at', 'lead_created_at') }} / 86400.0 as touchpoint_age_days
    from touchpoints
)

select * from final
