{#- post-hook of quality.quarantine: the build log says how many rows each table quarantined. -#}
{% macro log_quarantine_counts() %}
    {%- if execute -%}
        {%- set counts = run_query(
            "select source_system || '/' || source_table as landing_table, rule, count(*) as n_rows "
            ~ "from " ~ this ~ " group by 1, 2 order by 1, 2") -%}
        {%- if counts.rows | length == 0 -%}
            {{ log("quarantine: no raw row quarantined", info=true) }}
        {%- endif -%}
        {%- for row in counts.rows -%}
            {{ log("quarantine: " ~ row[0] ~ " " ~ row[2] ~ " row(s) " ~ row[1], info=true) }}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}
