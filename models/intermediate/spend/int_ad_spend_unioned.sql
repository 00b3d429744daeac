{#- Every ad platform on one column set (Fivetran ad_reporting style): the staged model of
    every ads table of the landing contract (contract/landing.yml, `ad_platform`), so adding
    a platform is a contract entry and one staging model. Spend is net of VAT, in the
    reporting currency. -#}
{%- set platforms = [] %}
{%- for landing_table in landing_tables() if landing_table.get('ad_platform') %}
    {%- do platforms.append(landing_table.staged) %}
{%- endfor %}

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
