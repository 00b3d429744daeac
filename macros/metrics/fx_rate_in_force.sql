{#- The join condition that picks, from stg_finance__fx_rates (aliased `rates`), the rate of
    `currency` in force on `day` (a date): the latest rate dated on or before it (METRICS.md,
    "Reporting currency"). One definition for every conversion: the landing tables with money, the
    check of their kept days (should_full_refresh) and the open pipeline. -#}
{% macro fx_rate_in_force(currency, day, rates='fx_rates') -%}
    {{ currency }} = {{ rates }}.currency
    and {{ day }} >= {{ rates }}.valid_from_date
    and ({{ day }} < {{ rates }}.valid_until_date or {{ rates }}.valid_until_date is null)
{%- endmacro %}
