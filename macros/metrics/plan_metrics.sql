{#- The plan metrics of LANDING.md ("marketing_plan") and METRICS.md ("Plan vs actual"), from
    the KPI list (contract/metrics.yml): whether each is additive (0 where the marts have no
    row) or a ratio (NULL there), whether lower is better (budgets within budget; cpl, cac,
    customer_churn_rate) and whether it is planned per channel. -#}
{% macro plan_metrics() %}
    {%- set metrics = {} -%}
    {%- for name, kpi in kpi_definitions().items() if kpi.plan -%}
        {%- do metrics.update({name: {
            'additive': kpi.plan.additive,
            'lower_is_better': kpi.better != 'higher',
            'per_channel': kpi.plan.per_channel,
        }}) -%}
    {%- endfor -%}
    {{ return(metrics) }}
{% endmacro %}
