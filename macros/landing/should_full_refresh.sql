{#- dbt's should_full_refresh() (--full-refresh, or the model's full_refresh config), and for
    the tables incremental by landing day (the base_ tables and the models downstream that
    replace the same days) or by lead day (incremental_by_lead_day_config) one more reason: the days they keep were computed with something
    that has changed since (landing_full_refresh_reason). The table is then rebuilt in full,
    by itself, with a line in the log that says why. -#}
{% macro should_full_refresh() %}
    {%- set requested = dbt.should_full_refresh() -%}
    {%- set replaced_by_day = config.get('unique_key') == 'landing_partition'
        or ((config.get('meta') or {}).get('incremental_inputs') is not none) -%}
    {%- if requested or not execute or not replaced_by_day -%}
        {{ return(requested) }}
    {%- endif -%}
    {#- asked several times per run (the model's SQL, the materialization, the hooks): the
        reason's queries (the FX check joins the whole table) run once per invocation; the
        answer is kept on the run's graph node, which every rendering context shares -#}
    {%- set memo = graph.nodes.get(model.unique_id, model) -%}
    {%- if 'fullfunnel_full_refresh_reason' not in memo -%}
        {%- do memo.update({'fullfunnel_full_refresh_reason': landing_full_refresh_reason()}) -%}
    {%- endif -%}
    {%- set reason = memo['fullfunnel_full_refresh_reason'] -%}
    {#- said once, by the materialization (the node is compiled by then; is_incremental() also
        asks while the SQL is rendered, and again in the post-hook) -#}
    {%- if reason and model.get('compiled_code') and not model.get('fullfunnel_full_refresh_logged') -%}
        {%- do log(model.name ~ ": rebuilt in full, " ~ reason, info=true) -%}
        {%- do model.update({'fullfunnel_full_refresh_logged': true}) -%}
    {%- endif -%}
    {{ return(reason is not none) }}
{% endmacro %}


{#- Why an incremental table cannot keep the days it holds, or none:
    - it has no landing_settings_fingerprint column (built by an older version);
    - its rows were computed with other settings (expected_settings_fingerprint);
    - for a model incremental by customer, the first month covered moved
      (incremental_by_customer.sql);
    - its rows carry a `written_at` later than this run's start (a clock set back, a copied
      warehouse): the models incremental by lead day find what changed by time;
    - for a base_ table with money, an FX rate of a day it holds changed (a restated or late
      rate): a kept row's fx_rate_to_reporting differs from the rate of its currency on its
      day now. -#}
{% macro landing_full_refresh_reason() %}
    {%- set existing = load_relation(this) -%}
    {%- if existing is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
    {%- if 'landing_settings_fingerprint' not in columns -%}
        {{ return('it was built by an earlier version of the project') }}
    {%- endif -%}
    {#- one row tells: a table is built whole with one fingerprint, and an incremental run
        adds rows only when the fingerprint is unchanged -#}
    {%- set stored = run_query(
        'select landing_settings_fingerprint from ' ~ existing ~ ' limit 1').columns[0].values() -%}
    {%- if stored and stored[0] != expected_settings_fingerprint() -%}
        {{ return('its SQL, a landing contract, a seed or a var that decides its rows (reporting_currency, '
            ~ 'earliest_event_date, latest_event_date, a closed list, channel_mapping, ...) '
            ~ 'changed since it was built') }}
    {%- endif -%}
    {%- if 'months_covered_from' in columns -%}
        {%- set moved = run_query(
            'select count(*) from (select months_covered_from from ' ~ existing ~ ' limit 1) as stored '
            ~ 'where months_covered_from <> ' ~ months_covered_from()
        ).columns[0].values()[0] -%}
        {%- if moved > 0 -%}
            {{ return('the first month covered moved since it was built (data older than every '
                ~ 'event arrived, or the earliest was deleted): the first MRR month of a customer can move') }}
        {%- endif -%}
    {%- endif -%}
    {%- if 'written_at' in columns -%}
        {%- set ahead = run_query(
            'select count(*) from ' ~ existing ~ ' where written_at > ' ~ run_written_at()
        ).columns[0].values()[0] -%}
        {%- if ahead > 0 -%}
            {{ return('it holds rows written after this run started (the clock is behind them, '
                ~ 'so what changed since cannot be told by time)') }}
        {%- endif -%}
    {%- endif -%}
    {%- set contract = landing_contract() -%}
    {%- set meta = contract.get(model.name.split('__', 1)[-1]) if model.name.startswith('base_') else none -%}
    {%- set fx = meta.get('fx') if meta else none -%}
    {%- if fx -%}
        {%- set q = adapter.quote -%}
        {%- set dated_type = (meta.columns | selectattr('name', 'equalto', fx.dated_by) | first).type -%}
        {%- set row_date = utc_date_of('kept.' ~ q(fx.dated_by), dated_type) -%}
        {%- set reporting_currency = var('reporting_currency') -%}
        {%- set changed_sql -%}
            select count(*)
            from {{ existing }} as kept
            left join {{ ref('stg_finance__fx_rates') }} as fx_rates
                on {{ fx_rate_in_force('kept.' ~ q(fx.currency), row_date) }}
            where
                kept.fx_rate_to_reporting is not null
                and kept.fx_rate_to_reporting <> case
                    when kept.{{ q(fx.currency) }} = '{{ reporting_currency }}' then 1.0
                    else coalesce(fx_rates.rate, -1)
                end
        {%- endset -%}
        {%- if run_query(changed_sql).columns[0].values()[0] > 0 -%}
            {{ return('an FX rate of a day it holds changed since it was built') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}
