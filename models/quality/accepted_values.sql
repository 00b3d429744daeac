{#- The closed lists the project defines in one place (macros), as rows: the quality gate
    (scripts/fullfunnel/expectations) reads its value sets from here instead of repeating
    them, so a list that grows (a new attribution model, a plan metric) needs no edit there. -#}
{%- set lists = {
    'attribution_model': attribution_models(),
    'plan_metric': plan_metrics().keys() | list,
} %}

with

accepted_values as (
    {%- for list_name, values in lists.items() %}
        {%- for value in values %}
            select
                '{{ list_name }}' as list_name,
                '{{ value }}' as accepted_value
            union all
        {%- endfor %}
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as list_name,
        cast(null as {{ dbt.type_string() }}) as accepted_value
    where false
),

final as (
    select
        cast(list_name as {{ dbt.type_string() }}) as list_name,
        cast(accepted_value as {{ dbt.type_string() }}) as accepted_value
    from accepted_values
)

select * from final
