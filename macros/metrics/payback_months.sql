{#- METRICS.md "Payback period": CAC / (new MRR per new customer x gross margin), in months;
    NULL when any part is NULL or a denominator is 0. `cac` is SQL for the CAC. -#}
{% macro payback_months(cac, gross_margin) %}
    {{- safe_ratio(cac, '(' ~ safe_ratio('new_mrr', 'new_customers') ~ ') * ' ~ gross_margin) -}}
{% endmacro %}
