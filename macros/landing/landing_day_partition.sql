{#- The partition (landing_partition) of a row of an incremental landing table: its UTC day
    (`day`, the parsed dating column) as YYYY-MM-DD; when the value cannot be parsed, the
    day it is written with (the first ten characters of the trimmed `text`, when they are
    shaped YYYY-MM-DD: landing_written_day), so that the row stays with the days an
    incremental run skips; else 'unknown' (re-read by every run). -#}
{% macro landing_day_partition(day, text) -%}
    coalesce(
        cast({{ day }} as {{ dbt.type_string() }}),
        case when {{ landing_written_day(text) }} like '____-__-__' then {{ landing_written_day(text) }} end,
        'unknown'
    )
{%- endmacro %}

{% macro landing_written_day(text) -%}
    left({{ text }}, 10)
{%- endmacro %}


{#- The first day an incremental run of a base_ table replaces, as YYYY-MM-DD: var
    restatement_window_days before the latest day the table holds (a typo'd year, rule
    out_of_range, does not move it). Read before the run, so that the run's filters compare
    with a constant. -#}
{% macro landing_first_replaced_day() %}
    {%- if not execute -%}
        {{ return('1900-01-01') }}
    {%- endif -%}
    {%- set sql -%}
        select cast({{ dbt.dateadd(
            'day',
            -(var('restatement_window_days') | int),
            "coalesce(max(landing_partition_date), cast('1900-01-01' as date))",
        ) }} as date)
        from {{ this }}
        where coalesce(quarantine_rule, '') not like 'out_of_range:%'
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values()[0] | string) }}
{% endmacro %}


{#- The prefilter of an incremental run, on the dating column's text as read (`text`, not
    trimmed): drops the rows that start with a day shaped YYYY-MM-DD before the day before
    `first_day` (YYYY-MM-DD, the first day the run replaces). Their UTC day, when they
    parse, is before `first_day` (a UTC offset moves a timestamp by less than a day); when
    they do not, landing_day_partition puts them in the day they are written with: either
    way a partition the run keeps. Every other row stays (an empty text, one that starts
    with a blank or with no day). Cheap (a prefix compared as text): the rows it drops are
    never trimmed, parsed or checked. -#}
{% macro landing_day_prefilter(text, first_day) -%}
    {%- set day_before = (modules.datetime.date.fromisoformat(first_day) - modules.datetime.timedelta(days=1)).isoformat() -%}
    where not coalesce(
        {{ landing_written_day(text) }} < '{{ day_before }}'
        and {{ landing_written_day(text) }} like '____-__-__',
        false
    )
{%- endmacro %}
