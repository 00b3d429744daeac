{#- The 90% interval of a Poisson mean for an observed count (the exact Garwood interval,
    docs block `performance_index_interval`): seeds/poisson_interval_bounds (joined as
    `bounds` on observed = the count) for counts up to 100, the Wilson-Hilferty cube of the
    chi-square quantile above (relative error below 1e-5 there). `side` is lower or upper. -#}
{% macro poisson_bound_90(count, side) -%}
    {%- set z = 1.6448536269514722 -%}
    {%- if side == 'lower' -%}
        {%- set dof = '(2.0 * ' ~ count ~ ')' -%}
        {%- set z_signed = -z -%}
    {%- else -%}
        {%- set dof = '(2.0 * ' ~ count ~ ' + 2.0)' -%}
        {%- set z_signed = z -%}
    {%- endif -%}
    case
        when {{ count }} is null then null
        when bounds.observed is not null then bounds.{{ side }}_90
        else {{ dof }} / 2.0 * power(1.0 - 2.0 / (9.0 * {{ dof }}) + ({{ z_signed }}) * sqrt(2.0 / (9.0 * {{ dof }})), 3)
    end
{%- endmacro %}
