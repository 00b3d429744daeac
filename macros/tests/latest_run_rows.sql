{#- Tests scoped to what the latest run changed, on the incremental tables that carry `written_at`.

    latest_run_rows(relation, keys): the rows of `relation` whose `keys` (e.g. lead_id and
    attribution_model) have a row written by the table's latest run (`written_at`): every row
    of what that run replaced, next to any older row of the same keys (so a per-key check
    such as uniqueness or a sum still sees the whole key). When the table holds one run only
    (a full build, or any table without `written_at`), the whole relation: a full refresh is
    tested in full. Whether it holds several runs is read before the test (the smallest and
    largest `written_at`: one query on one column).
    Returns a relation, or an aliased subquery: use it as `from {{ latest_run_rows(...) }}`. -#}
{% macro latest_run_rows(relation, keys) %}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- if 'written_at' not in columns -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set several_runs = run_query(
        'select min(written_at) < max(written_at) from ' ~ relation).columns[0].values()[0] -%}
    {%- if not several_runs -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set matches = [] -%}
    {%- for key in keys -%}
        {%- do matches.append('latest_rows.' ~ key ~ ' = all_rows.' ~ key) -%}
    {%- endfor -%}
    {%- set scoped -%}
        (
            select all_rows.*
            from {{ relation }} as all_rows
            where exists (
                select 1
                from {{ relation }} as latest_rows
                where
                    latest_rows.written_at = (select max(written_at) from {{ relation }})
                    and {{ matches | join(' and ') }}
            )
        ) as latest_run_rows
    {%- endset -%}
    {{ return(scoped) }}
{% endmacro %}

{#- dbt's get_where_subquery (the relation a generic test reads), scoped to the latest run
    when the test's config says so: `config: {meta: {latest_run_of: [key, ...]}}`
    (latest_run_rows). The test's `where` config still applies on top. -#}
{% macro get_where_subquery(relation) -%}
    {%- set keys = (config.get('meta') or {}).get('latest_run_of') -%}
    {%- if keys -%}
        {%- set relation = latest_run_rows(relation, keys) -%}
    {%- endif -%}
    {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
{%- endmacro %}
