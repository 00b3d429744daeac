{#- Small dense linear algebra on lists, for the Markov attribution chain (one state per
    channel, a few dozen at most): each macro is one expression, no joins, on both engines. -#}

{#- The values of a group as a list ordered by `order_by` (an aggregate). -#}
{% macro ordered_list(value, order_by) %}
    {{ return(adapter.dispatch('ordered_list', 'fullfunnel')(value, order_by)) }}
{% endmacro %}
{% macro default__ordered_list(value, order_by) -%}
    list({{ value }} order by {{ order_by }})
{%- endmacro %}

{#- The solution x of A x = b, from the augmented matrix [A | b] (a list of `size` rows of
    size + 1 doubles), by Gauss-Jordan elimination without pivoting: exact up to rounding
    for the matrices it is used on, I - Q of an absorbing chain without self-loops (a
    nonsingular M-matrix: every pivot_number is positive and no entry grows). -#}
{% macro linear_system_solution(augmented, size) %}
    {{ return(adapter.dispatch('linear_system_solution', 'fullfunnel')(augmented, size)) }}
{% endmacro %}
{% macro default__linear_system_solution(augmented, size) -%}
    list_transform(
        list_reduce(
            range(1, {{ size }} + 1),
            lambda eliminated, pivot_number: list_transform(
                eliminated,
                lambda matrix_row, row_index: case
                    when row_index = pivot_number
                        then list_transform(matrix_row, lambda v: v / eliminated[pivot_number][pivot_number])
                    else list_transform(
                        matrix_row,
                        lambda v, column_index: v - matrix_row[pivot_number] * eliminated[pivot_number][column_index]
                        / eliminated[pivot_number][pivot_number]
                    )
                end
            ),
            {{ augmented }}
        ),
        lambda solved_row: solved_row[-1]
    )
{%- endmacro %}

{#- The dot product of two lists of doubles of the same length. -#}
{% macro dot_product(left, right) %}
    {{ return(adapter.dispatch('dot_product', 'fullfunnel')(left, right)) }}
{% endmacro %}
{% macro default__dot_product(left, right) -%}
    list_dot_product({{ left }}, {{ right }})
{%- endmacro %}
