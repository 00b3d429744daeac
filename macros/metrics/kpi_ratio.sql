{#- A KPI that is a ratio of the month's sums (contract/metrics.yml `ratio`), as SQL over
    the columns its numerator and denominator name: one definition for every mart. -#}
{% macro kpi_ratio(kpi) %}
    {%- set ratio = kpi_definitions()[kpi].ratio -%}
    {{- safe_ratio(ratio[0], ratio[1]) -}}
{% endmacro %}
