{#- Every staged session with its traffic source and channel (LANDING.md, web/sessions): a
    session without utm_source has no UTMs; one with a typed click id (auto-tagged ad) takes
    source and medium from var click_id_sources, with no campaign. -#}
{{ config(materialized='table') }}

with

sessions as (
    select * from {{ ref('stg_web__sessions') }}
),

traffic as (
    select
        session_id,
        visitor_id,
        started_at,
        referrer_domain,
        has_utms or has_typed_click_id as has_utms,
        case
            when has_utms then utm_source
            {%- for click_id_type, source_medium in var('click_id_sources').items() | sort %}
                when
                    has_typed_click_id and click_id_type = '{{ click_id_type | lower }}'
                    then '{{ source_medium.utm_source }}'
            {%- endfor %}
        end as utm_source,
        case
            when has_utms then utm_medium
            {%- for click_id_type, source_medium in var('click_id_sources').items() | sort %}
                when
                    has_typed_click_id and click_id_type = '{{ click_id_type | lower }}'
                    then '{{ source_medium.utm_medium }}'
            {%- endfor %}
        end as utm_medium,
        case when has_utms then utm_campaign end as utm_campaign
    from sessions
),

classified as (
    {{ classify_traffic('traffic') }}
),

final as (
    select
        session_id,
        visitor_id,
        started_at,
        utm_source,
        utm_medium,
        referrer_domain,
        channel,
        channel_group,
        ad_platform,
        case when ad_platform is not null then utm_campaign end as campaign_id
    from classified
)

select * from final
