{#- Every ad platform on one column set (Fivetran ad_reporting style): adding a platform is
    one staging model and one line here. Spend is net of VAT, in the reporting currency. -#}
{%- set platforms = [
    'stg_ads__google_ads_campaign_stats',
    'stg_ads__meta_ads_insights',
    'stg_ads__yandex_direct_campaign_reports',
] %}

with

{% for platform in platforms -%}
    {{ platform }} as (
        select
            date,
            ad_platform,
            account_id,
            campaign_id,
            campaign_name,
            impressions,
            clicks,
            spend_original,
            currency,
            fx_rate_to_reporting,
            spend
        from {{ ref(platform) }}
    ),

{% endfor -%}

final as (
    {%- for platform in platforms %}
        select * from {{ platform }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
