{#- The MRR movement of a customer month (METRICS.md, "mrr movements"). -#}
{% macro mrr_movement(current_mrr, previous_mrr, month, first_mrr_month) -%}
    case
        when {{ previous_mrr }} = 0 and {{ current_mrr }} > 0 and {{ month }} = {{ first_mrr_month }} then 'new'
        when {{ previous_mrr }} = 0 and {{ current_mrr }} > 0 then 'reactivation'
        when {{ previous_mrr }} > 0 and {{ current_mrr }} = 0 then 'churn'
        when {{ current_mrr }} > {{ previous_mrr }} then 'expansion'
        when {{ current_mrr }} < {{ previous_mrr }} then 'contraction'
        else 'unchanged'
    end
{%- endmacro %}
