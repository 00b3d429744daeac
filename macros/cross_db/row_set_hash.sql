{#- A hash of a group's rows that does not depend on their order: the bitwise XOR of a 64-bit
    hash of each row's `exprs` (a list of expressions). Rows are told apart by their values,
    so two rows of a group must differ (include the key). -#}
{% macro row_set_hash(exprs) %}
    {{ return(adapter.dispatch('row_set_hash', 'fullfunnel')(exprs)) }}
{% endmacro %}
{% macro default__row_set_hash(exprs) -%}
    bit_xor(hash({{ exprs | join(', ') }}))
{%- endmacro %}
