{#-
    Spark (dbt-spark) versions of the dispatched helpers in text_parsing.sql, median.sql and
    row_set_hash.sql,
    and of dbt's own dateadd (DESIGN.md, "Portable SQL"). Spark runs with
    spark.sql.session.timeZone = UTC (profiles.yml), so a TIMESTAMP holds the UTC instant and
    shows it as UTC wall-clock time, as DuckDB's TIMESTAMP does.
-#}

{% macro spark__trim_blank(expr) -%}
    nullif(trim(both ' ' || chr(9) || chr(10) || chr(13) from {{ expr }}), '')
{%- endmacro %}

{#- Java regular expressions: `\z` is the very end (`$` would also match before a final line break). -#}
{% macro spark__regexp_full_match(expr, pattern) -%}
    regexp_like({{ expr }}, '^(?:{{ pattern }})\\z')
{%- endmacro %}

{% macro spark__regexp_remove(expr, pattern) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '')
{%- endmacro %}

{#- Spark string literals read backslash escapes: a pattern's backslashes are doubled. -#}
{% macro spark__regexp_tokens(expr, pattern) -%}
    regexp_extract_all({{ expr }}, '{{ pattern | replace("\\", "\\\\") }}', 0)
{%- endmacro %}

{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}

{#- Spark string literals read backslash escapes. -#}
{% macro spark__sql_string_literal(text) -%}
    '{{ text | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro spark__unnest_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}

{#- Spark's cast reads `T` or space, up to 6 fraction digits, `Z` or an offset, and a value
    without offset in the session time zone (UTC); the pattern check comes first. -#}
{% macro spark__parse_utc_timestamp(expr) -%}
    case
        when {{ fullfunnel.regexp_full_match(expr, landing_timestamp_pattern()) }}
            then try_cast({{ expr }} as timestamp)
    end
{%- endmacro %}

{#- 1e6 is a DOUBLE literal on Spark (1000000.0 would be a DECIMAL). -#}
{% macro spark__seconds_between(start, finish) -%}
    ((unix_micros({{ finish }}) - unix_micros({{ start }})) / 1e6)
{%- endmacro %}

{% macro spark__to_reporting_timestamp(expr) -%}
    {%- if var('reporting_timezone') | upper == 'UTC' -%}
        {{ expr }}
    {%- else -%}
        from_utc_timestamp({{ expr }}, '{{ var("reporting_timezone") }}')
    {%- endif -%}
{%- endmacro %}

{% macro spark__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{#- to_json drops null fields unless told not to. -#}
{% macro spark__row_to_json(expr) -%}
    to_json({{ expr }}, map('ignoreNullFields', 'false'))
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct(
    {%- for name, expr in fields %}'{{ name }}', {{ expr }}{{ ", " if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{#- dbt-spark's dateadd goes through unix seconds and drops the fraction of a second;
    timestampadd keeps it (a date becomes its midnight, as on DuckDB). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as int), cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{#- dbt-spark's create_view_as, with column comments cut to 256 characters: a Hive metastore
    keeps a column comment in a varchar(256) (COLUMNS_V2.COMMENT), and a longer one makes the
    metastore client retry the create ten times, two seconds apart, before Spark falls back
    (20 s per view). -#}
{% macro spark__create_view_as(relation, sql) -%}
    create or replace view {{ relation }}
    {% if config.persist_column_docs() -%}
        {%- set model_columns = model.columns -%}
        {%- set query_columns = get_columns_in_query(sql) -%}
        (
        {%- for column_name in query_columns %}
            {{ adapter.quote(column_name) }}
            {%- if column_name in model_columns and model_columns[column_name]["description"] -%}
                {%- set description = model_columns[column_name]["description"] -%}
                {%- if description | length > 256 -%}
                    {%- set description = description[:253] ~ "..." -%}
                {%- endif %} comment '{{ description | replace("\\", "\\\\") | replace("'", "\\'") }}'
            {%- endif -%}
            {{ "," if not loop.last }}
        {%- endfor %}
        )
    {% endif %}
    {{ comment_clause() }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as
    {{ sql }}
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session cursor turns a NULL binding into the text 'None'
    (and does not escape quotes), so the rows are written as literals here: NULL as null,
    every other value as an escaped text literal cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- collect_list keeps no order: collect (key, value) pairs and sort them. -#}
{% macro spark__ordered_list(value, order_by) -%}
    transform(
        array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'sort_value', {{ value }}))),
        sorted_entry -> sorted_entry.sort_value
    )
{%- endmacro %}

{#- Arrays are 0-based here; `aggregate` folds over the pivots like DuckDB's list_reduce. -#}
{% macro spark__linear_system_solution(augmented, size) -%}
    transform(
        aggregate(
            sequence(0, {{ size }} - 1),
            {{ augmented }},
            (eliminated, pivot_number) -> transform(
                eliminated,
                (matrix_row, row_index) -> case
                    when row_index = pivot_number
                        then transform(matrix_row, v -> v / eliminated[pivot_number][pivot_number])
                    else transform(
                        matrix_row,
                        (v, column_index) -> v - matrix_row[pivot_number] * eliminated[pivot_number][column_index]
                        / eliminated[pivot_number][pivot_number]
                    )
                end
            )
        ),
        solved_row -> element_at(solved_row, -1)
    )
{%- endmacro %}

{% macro spark__dot_product(left, right) -%}
    aggregate(zip_with({{ left }}, {{ right }}, (l, r) -> l * r), cast(0 as double), (total, v) -> total + v)
{%- endmacro %}

{#- xxhash64 is Spark's 64-bit row hash (its hash() has 32 bits). -#}
{% macro spark__row_set_hash(exprs) -%}
    bit_xor(xxhash64({{ exprs | join(', ') }}))
{%- endmacro %}
