{#- Every staged session with its traffic source and channel (LANDING.md, web/sessions): a
    session without utm_source has no UTMs; one with a typed click id (auto-tagged ad) takes
    source and medium from var click_id_sources, with no campaign.

    Incremental by landing day, as base_web__sessions: a run recomputes the days within var
    restatement_window_days of the latest day it holds, and any later ones (the days the
    base table re-read, and more), and replaces those whose rows changed
    (changed_days_filter): a re-read day that holds the same sessions keeps its rows and
    their `written_at`, so the touchpoints and Markov paths downstream recompute only what
    changed. It rebuilds in full
    by itself when the sessions' landing settings, the channel_mapping seed or a var below
    changed (should_full_refresh). -#}
{{ incremental_by_day_config(meta={'incremental_inputs': {
    'landing_tables': ['sessions'],
    'seeds': ['channel_mapping'],
    'vars': ['click_id_sources', 'search_engine_domains'],
}}) }}

with

sessions as (
    select * from {{ ref('stg_web__sessions') }}
    {{ replaced_days_filter('landing_partition_date') }}
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
        case when has_utms then utm_campaign end as utm_campaign,
        landing_partition_date,
        landing_partition
    from sessions
),

classified as (
    {{ classify_traffic('traffic') }}
),

recomputed as (
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
        case when ad_platform is not null then utm_campaign end as campaign_id,
        landing_partition_date,
        landing_partition
    from classified
),

final as (
    select
        recomputed.*,
        {{ run_written_at() }} as written_at,
        cast('{{ incremental_settings_fingerprint() }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint
    from recomputed
    {{ changed_days_filter('recomputed', [
        'session_id', 'visitor_id', 'started_at', 'utm_source', 'utm_medium',
        'referrer_domain', 'channel', 'channel_group', 'ad_platform', 'campaign_id',
        'landing_partition_date',
    ]) }}
)

select * from final
