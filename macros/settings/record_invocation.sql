{#- The invocation log that `fullfunnel publish` reads (quality.dbt_invocations): a `started`
    row when a run (build, run, test, seed) starts, and a `finished` row with its outcome
    (`success`, or `failed` with the number of nodes that errored, failed or were skipped)
    when it ends. A run killed or stopped midway has no `finished` row, so publish can tell
    a finished, passing build from a half-written warehouse. -#}
{% macro invocation_log_ddl() -%}
    create table if not exists quality.dbt_invocations (
        invocation_id {{ dbt.type_string() }},
        command {{ dbt.type_string() }},
        event {{ dbt.type_string() }},
        recorded_at {{ dbt.type_timestamp() }},
        status {{ dbt.type_string() }},
        failed_nodes {{ dbt.type_int() }}
    )
{%- endmacro %}

{% macro record_invocation(event, results=none) %}
    {%- if execute -%}
        {%- set failed = [] -%}
        {%- for result in results or [] -%}
            {%- if result.status in ('error', 'fail', 'runtime error', 'skipped') -%}
                {%- do failed.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set status = 'null' if event == 'started' else ("'failed'" if failed else "'success'") -%}
        {%- set insert -%}
            insert into quality.dbt_invocations
            select
                cast('{{ invocation_id }}' as {{ dbt.type_string() }}),
                cast('{{ flags.WHICH }}' as {{ dbt.type_string() }}),
                cast('{{ event }}' as {{ dbt.type_string() }}),
                cast(current_timestamp as {{ dbt.type_timestamp() }}),
                cast({{ status }} as {{ dbt.type_string() }}),
                cast({{ failed | length if event == 'finished' else 'null' }} as {{ dbt.type_int() }})
        {%- endset -%}
        {{ run_statements(['create schema if not exists quality', invocation_log_ddl(), insert]) }}
    {%- endif -%}
{% endmacro %}
