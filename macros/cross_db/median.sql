{#- The median (of an even count: the mean of the two middle values, METRICS.md). -#}
{% macro median(expr) %}
    {{ return(adapter.dispatch('median', 'fullfunnel')(expr)) }}
{% endmacro %}
{% macro default__median(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}
