{#- The ad platforms (contract/landing.yml: the ads tables' `ad_platform`), in the contract's
    order: the values of every ad_platform column, and the staged models whose spend
    int_ad_spend_unioned unions. -#}
{% macro ad_platforms() %}
    {%- set platforms = [] -%}
    {%- for landing_table in landing_tables() if landing_table.get('ad_platform') -%}
        {%- do platforms.append(landing_table.ad_platform) -%}
    {%- endfor -%}
    {{ return(platforms) }}
{% endmacro %}
