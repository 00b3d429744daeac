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
