{#- What the rows of an incremental base_ table were computed with, as an md5: the table's
    landing contract and the vars that decide its rows (reporting_currency for a table with
    money or currencies, the event date range, the closed lists it reads from vars, and how rows
    are partitioned into days, so that a table built another way is rebuilt). Stored on every row
    (`landing_settings_fingerprint`); a table whose stored fingerprint differs is rebuilt in
    full (should_full_refresh). -#}
{% macro landing_settings_fingerprint(table_name) %}
    {%- set meta = landing_contract()[table_name] -%}
    {%- set closed_lists = {} -%}
    {%- for c in meta.columns if c.get('closed_list') is string -%}
        {%- do closed_lists.update({c.closed_list: var(c.closed_list).keys() | list | sort}) -%}
    {%- endfor -%}
    {%- set has_money = meta.get('fx') or (meta.columns | selectattr('currency') | list) -%}
    {%- set settings = {
        'contract': meta,
        'reporting_currency': (var('reporting_currency') | string) if has_money else none,
        'earliest_event_date': var('earliest_event_date', none) | string,
        'latest_event_date': var('latest_event_date', none) | string,
        'closed_lists': closed_lists,
        'partitions': 'UTC day; unparseable: the day written (landing_day_partition), else unknown',
    } -%}
    {{ return(local_md5(tojson(settings, sort_keys=true))) }}
{% endmacro %}
