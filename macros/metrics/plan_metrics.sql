{#- The plan metrics of LANDING.md ("marketing_plan") and METRICS.md ("Plan vs actual"):
    whether each is additive (0 where the marts have no row) or a ratio (NULL there), and
    whether lower is better (budgets within budget; cpl, cac, customer_churn_rate). -#}
{% macro plan_metrics() %}
    {{ return({
        'ad_spend':            {'additive': true,  'lower_is_better': true,  'per_channel': true},
        'marketing_cost':      {'additive': true,  'lower_is_better': true,  'per_channel': true},
        'leads':               {'additive': true,  'lower_is_better': false, 'per_channel': true},
        'cpl':                 {'additive': false, 'lower_is_better': true,  'per_channel': true},
        'cr2':                 {'additive': false, 'lower_is_better': false, 'per_channel': true},
        'new_customers':       {'additive': true,  'lower_is_better': false, 'per_channel': true},
        'cac':                 {'additive': false, 'lower_is_better': true,  'per_channel': true},
        'new_mrr':             {'additive': true,  'lower_is_better': false, 'per_channel': true},
        'revenue':             {'additive': true,  'lower_is_better': false, 'per_channel': false},
        'mrr':                 {'additive': true,  'lower_is_better': false, 'per_channel': false},
        'customer_churn_rate': {'additive': false, 'lower_is_better': true,  'per_channel': false},
    }) }}
{% endmacro %}

{#- Whether `value` meets the plan row's `target`: value >= target, or value <= target for
    a metric where lower is better; NULL when the value is NULL. -#}
{% macro plan_on_track(value, metric, target) %}
    case
        when {{ value }} is null then null
        {%- for name, spec in plan_metrics().items() if spec.lower_is_better %}
            when {{ metric }} = '{{ name }}' then {{ value }} <= {{ target }}
        {%- endfor %}
        else {{ value }} >= {{ target }}
    end
{% endmacro %}
