{#-
    The name of the aggregate that sums doubles without depending on the order of the
    additions, used as `{{ fsum() }}(amount)` (also over a window). DuckDB adds up a
    column in parallel, and a plain sum of doubles then differs in its last bits from build
    to build; `fsum` (Kahan-Babuska compensated summation) carries the rounding error along,
    so the same data gives the same bits. Integer counts keep `sum`. Spark has no
    compensated sum: `sum` there (its parity with DuckDB is checked to 1e-9).
-#}
{% macro fsum() %}
    {{ return(adapter.dispatch('fsum', 'fullfunnel')()) }}
{% endmacro %}
{% macro default__fsum() -%}
    fsum
{%- endmacro %}
{% macro spark__fsum() -%}
    sum
{%- endmacro %}
