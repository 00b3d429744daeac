{#-
    classify_traffic(relation): `relation` (a CTE or model) with columns has_utms, utm_source,
    utm_medium and referrer_domain, plus channel, channel_group and ad_platform
    (LANDING.md, "Project seeds"):

      - with UTMs: the channel_mapping row of (utm_source, utm_medium), case-insensitive;
        an exact medium wins over `*`; a NULL medium matches only `*`; no row = `other`;
      - without UTMs: `direct` with no referrer; `organic_search` when the lower-cased
        referrer starts with one of var search_engine_domains or has one right after a dot;
        else `referral`. Derived channels have the channel_group of their name
        (organic_search: organic; other: other).
-#}
{% macro classify_traffic(relation) %}
    {%- set search_checks = [] -%}
    {%- for domain in var('search_engine_domains') -%}
        {%- set d = domain | lower -%}
        {%- do search_checks.append(
            "traffic.referrer_domain like '" ~ d ~ "%' or traffic.referrer_domain like '%." ~ d ~ "%'") -%}
    {%- endfor -%}
    select
        traffic.*,
        case
            when traffic.has_utms then coalesce(exact_match.channel, wildcard_match.channel, 'other')
            when traffic.referrer_domain is null then 'direct'
            {%- if search_checks %}
            when {{ search_checks | join('\n                or ') }} then 'organic_search'
            {%- endif %}
            else 'referral'
        end as channel,
        case
            when traffic.has_utms then coalesce(exact_match.channel_group, wildcard_match.channel_group, 'other')
            when traffic.referrer_domain is null then 'direct'
            {%- if search_checks %}
            when {{ search_checks | join('\n                or ') }} then 'organic'
            {%- endif %}
            else 'referral'
        end as channel_group,
        case
            when traffic.has_utms and exact_match.channel is not null then exact_match.ad_platform
            when traffic.has_utms then wildcard_match.ad_platform
        end as ad_platform
    from {{ relation }} as traffic
    left join {{ ref('int_channel_mapping_normalized') }} as exact_match
        on
            traffic.has_utms
            and lower(traffic.utm_source) = exact_match.utm_source_key
            and lower(traffic.utm_medium) = exact_match.utm_medium_key
            and exact_match.utm_medium_key <> '*'
    left join {{ ref('int_channel_mapping_normalized') }} as wildcard_match
        on
            traffic.has_utms
            and lower(traffic.utm_source) = wildcard_match.utm_source_key
            and wildcard_match.utm_medium_key = '*'
{% endmacro %}
