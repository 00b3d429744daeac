{#- The values of `expr` in a group, sorted and joined by `delimiter` (a string literal): the
    same string whatever the order of the rows, for hashing a group's inputs. -#}
{% macro sorted_string_agg(expr, delimiter) %}
    {{ return(adapter.dispatch('sorted_string_agg', 'fullfunnel')(expr, delimiter)) }}
{% endmacro %}
{% macro default__sorted_string_agg(expr, delimiter) -%}
    string_agg({{ expr }}, {{ delimiter }} order by {{ expr }})
{%- endmacro %}
