{#- The project's own generic tests (no dbt packages can be installed here, DESIGN.md). -#}

{#- For each of `columns`, the rows of `model` on which `broken` holds (a condition in which
    `__column__` stands for the column), counted in one scan of the model (one grouped query
    instead of one test, and one scan, per column). Returns one row per column with such
    rows: `column_name` and how many (`count_name`). -#}
{% macro rows_breaking_per_column(model, columns, broken, count_name) %}
    with

    counts as (
        select
            {%- for column in columns %}
            sum(case when {{ broken | replace('__column__', adapter.quote(column)) }} then 1 else 0 end) as {{ adapter.quote(column) }}
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ),

    per_column as (
        {%- for column in columns %}
        select
            '{{ column }}' as column_name,
            {{ adapter.quote(column) }} as {{ count_name }}
        from counts
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select * from per_column
    where {{ count_name }} > 0
{% endmacro %}

{#- None of `columns` is NULL. Returns one row per column that has NULLs, with how many. -#}
{% test not_null_columns(model, columns) %}
    {{ rows_breaking_per_column(model, columns, '__column__ is null', 'null_rows') }}
{% endtest %}

{#- No two rows share the combination of `combination_of_columns`. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- No two rows share the combination, compared case-insensitively (text columns). -#}
{% test unique_combination_ignoring_case(model, combination_of_columns) %}
    {%- set lowered = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do lowered.append("lower(" ~ column ~ ")") -%}
    {%- endfor %}
    select
        {{ lowered | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ lowered | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Every value of `column_name` maps to exactly one value of `determined_column`. -#}
{% test functionally_determines(model, column_name, determined_column) %}
    select
        {{ column_name }},
        count(distinct {{ determined_column }}) as n_values
    from {{ model }}
    group by {{ column_name }}
    having count(distinct {{ determined_column }}) > 1
{% endtest %}

{#- Rows for which `expression` is not true (NULL counts as a failure). -#}
{% test expression_is_true(model, expression, where_clause=none) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
    {%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}

{#- `column_name` is never one of `values` (compared case-insensitively). -#}
{% test not_in_values(model, column_name, values) %}
    {%- set quoted = [] -%}
    {%- for v in values -%}{%- do quoted.append("'" ~ (v | lower) ~ "'") -%}{%- endfor %}
    select *
    from {{ model }}
    where lower({{ column_name }}) in ({{ quoted | join(', ') }})
{% endtest %}

{#- `column_name` is a first day of a month. -#}
{% test is_first_day_of_month(model, column_name) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
        and {{ column_name }} <> {{ dbt.date_trunc('month', column_name) }}
{% endtest %}

{#- quality.quarantine: a landing file whose rejected rows (`superseded` aside) exceed
    `max_share` of its raw rows is not fit to report on (LANDING.md, "Build outcome"). -#}
{% test rejected_share_within_limit(model, reconciliation, max_share) %}
    with rejected as (
        select source_table, count(*) as rejected_rows
        from {{ model }}
        where rule <> 'superseded'
        group by source_table
    )

    select
        reconciliation.source_system,
        reconciliation.source_table,
        reconciliation.raw_rows,
        rejected.rejected_rows,
        1.0 * rejected.rejected_rows / reconciliation.raw_rows as rejected_share,
        {{ max_share }} as max_share
    from rejected
    inner join {{ reconciliation }} as reconciliation
        on rejected.source_table = reconciliation.source_table
    where rejected.rejected_rows > {{ max_share }} * reconciliation.raw_rows
{% endtest %}

{#- quality.quarantine: any rejected row (`superseded` aside) makes the build warn. -#}
{% test no_rejected_rows(model) %}
    select source_system, source_table, rule, count(*) as n_rows
    from {{ model }}
    where rule <> 'superseded'
    group by source_system, source_table, rule
{% endtest %}

{#- channel_mapping: every (utm_source, utm_medium) that var `click_id_sources` produces
    matches a mapping row (case-insensitive source; exact medium or `*`), LANDING.md. -#}
{% test maps_click_id_sources(model) %}
    {%- set pairs = [] -%}
    {%- for click_id_type, source_medium in var('click_id_sources').items() | sort -%}
        {%- do pairs.append("select '" ~ click_id_type ~ "' as click_id_type, '"
            ~ (source_medium.utm_source | lower) ~ "' as utm_source, '"
            ~ (source_medium.utm_medium | lower) ~ "' as utm_medium") -%}
    {%- endfor %}
    with produced as (
        {{ pairs | join('\n        union all\n        ') }}
    )

    select produced.*
    from produced
    where not exists (
        select 1
        from {{ model }} as mapping
        where lower(mapping.utm_source) = produced.utm_source
            and (lower(mapping.utm_medium) = produced.utm_medium or mapping.utm_medium = '*')
    )
{% endtest %}

{#- True when two sums that should be equal differ by more than floating-point noise: by
    1e-6, or by 1e-9 of the larger value when that is more. Sums of millions of doubles are
    added in a different order on every run (parallel aggregation): at scale 100 a month's
    MRR (~4.6e7) came out up to ~5e-7 apart from one run to the next, so a fixed 1e-6 made
    the reconciliation tests fail at random. -#}
{% macro sums_differ(left, right) -%}
    abs(({{ left }}) - ({{ right }}))
    >= greatest(1e-6, 1e-9 * greatest(abs({{ left }}), abs({{ right }})))
{%- endmacro %}

{#- Every non-NULL value of `columns` lies within [min_value, max_value] (either bound may be
    left out). Returns one row per column with values outside, with how many. -#}
{% test columns_between(model, columns, min_value=none, max_value=none) %}
    {%- set outside = [] -%}
    {%- if min_value is not none %}{% do outside.append('__column__ < ' ~ min_value) %}{% endif -%}
    {%- if max_value is not none %}{% do outside.append('__column__ > ' ~ max_value) %}{% endif -%}
    {{ rows_breaking_per_column(model, columns, outside | join(' or '), 'rows_outside') }}
{% endtest %}

{#- The model has as many rows as `compare_model` (restricted by `compare_where`; the test's
    own `where` config restricts the model). -#}
{% test equal_row_count(model, compare_model, compare_where=none) %}
    with

    model_rows as (
        select count(*) as model_rows from {{ model }}
    ),

    compared_rows as (
        select count(*) as compared_rows
        from {{ compare_model }}
        {%- if compare_where %}
        where {{ compare_where }}
        {%- endif %}
    )

    select *
    from model_rows
    cross join compared_rows
    where model_rows <> compared_rows
{% endtest %}
