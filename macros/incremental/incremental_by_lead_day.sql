{#- Models incremental by lead day (int_touchpoints_collected, int_touchpoints_credited,
    fct_attribution): their rows belong to a valid lead, `lead_created_day` is the UTC date of
    the lead's created_at, and an incremental run replaces whole lead days. Leads are not append-only (a lead is
    edited, becomes a duplicate or is deleted) and sessions arrive late, so the days to replace
    are read from what changed upstream since the table's last run, not from a fixed window:

    - every row carries `written_at`, when the run that wrote it started (run_written_at), and
      `upstream_written_through`, the latest `written_at` of the upstream table it read;
    - upstream rows written after the table's `upstream_written_through` are the changed ones
      (a full rebuild upstream rewrites them all, so every day they reach is replaced);
    - a day can lose all its rows, so the run deletes every replaced day itself (pre-hook)
      and appends the new rows; `delete+insert` would keep the days it has no new rows for.

    On Spark (Parquet tables, no DELETE) these models are tables, rebuilt in full each run. -#}
{% macro incremental_by_lead_day_config(meta, replaced_days, always_replaced=none) %}
    {{ config(
        materialized=lead_day_materialization(),
        incremental_strategy='append',
        on_schema_change='fail',
        meta=meta,
        pre_hook=["{{ delete_replaced_lead_days(" ~ replaced_days ~ ", "
            ~ tojson(always_replaced) ~ ") }}"],
    ) }}
{% endmacro %}

{% macro lead_day_materialization() %}
    {{ return(adapter.dispatch('lead_day_materialization', 'fullfunnel')()) }}
{% endmacro %}
{% macro default__lead_day_materialization() %}
    {{ return('incremental') }}
{% endmacro %}
{% macro spark__lead_day_materialization() %}
    {{ return('table') }}
{% endmacro %}

{#- When the run that writes a row started (microseconds): the `written_at` of every row of a
    model incremental by lead day. -#}
{% macro run_written_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The latest `written_at` of `upstream`: a row's `upstream_written_through`. -#}
{% macro upstream_written_through(upstream) -%}
    (select max(written_at) from {{ upstream }})
{%- endmacro %}

{#- The predicate that selects the lead days `replaced` names ({'from': first day or none,
    'days': [more days]}, as YYYY-MM-DD), on the DATE `column`. -#}
{% macro replaced_lead_days_predicate(column, replaced) -%}
    {%- set terms = [] -%}
    {%- if replaced.get('from') -%}
        {%- do terms.append(column ~ " >= cast('" ~ replaced['from'] ~ "' as date)") -%}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for day in replaced.get('days') or [] -%}
        {%- do literals.append("cast('" ~ day ~ "' as date)") -%}
    {%- endfor -%}
    {%- if literals -%}
        {%- do terms.append(column ~ " in (" ~ literals | join(', ') ~ ")") -%}
    {%- endif -%}
    ({{ terms | join(' or ') if terms else '1 = 0' }})
{%- endmacro %}

{#- Pre-hook of a model incremental by lead day: on an incremental run, deletes the lead days
    it replaces, and the rows `always_replaced` (a predicate) selects. -#}
{% macro delete_replaced_lead_days(replaced, always_replaced=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            {{ replaced_lead_days_predicate('lead_created_day', replaced) }}
            {%- if always_replaced %} or ({{ always_replaced }}){% endif %}
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- The days of the rows in `upstream` written after `this` last read it (see above), from
    the query `days_sql`, which selects one column `day` from the CTE `changed_upstream`; run
    before the model, so the filters compare with constants. Returns a list of YYYY-MM-DD. -#}
{% macro changed_upstream_days(upstream, days_sql) %}
    {%- set sql -%}
        with changed_upstream as (
            select * from {{ upstream }}
            where written_at > (
                select coalesce(max(upstream_written_through), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
                from {{ this }}
            )
        )
        select distinct cast(day as {{ dbt.type_string() }}) as day
        from ({{ days_sql }}) as days
        where day is not null
        order by 1
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values() | map('string') | list) }}
{% endmacro %}

{#- The valid leads int_touchpoints_collected reads, with their lead day and a hash of every
    input of their touchpoints (created_at, visitor_id, the UTMs); a lead whose hash or
    validity changed is recomputed. One definition for the model and the days it replaces. -#}
{% macro touchpoint_valid_leads() -%}
    select
        lead_id,
        created_at,
        visitor_id,
        utm_source,
        utm_medium,
        utm_campaign,
        cast(created_at as date) as lead_created_day,
        {{ dbt.hash(dbt.concat([
            "coalesce(cast(created_at as " ~ dbt.type_string() ~ "), '~')", "'|'",
            "coalesce(visitor_id, '~')", "'|'",
            "coalesce(utm_source, '~')", "'|'",
            "coalesce(utm_medium, '~')", "'|'",
            "coalesce(utm_campaign, '~')",
        ])) }} as lead_inputs_hash
    from {{ ref('int_leads_deduplicated') }}
    where is_valid
{%- endmacro %}

{#- The lead days an incremental run of int_touchpoints_collected replaces:
    - from the earliest day of the sessions classified since its last run on (a session
      is a touchpoint of the leads created in the attribution window after it);
    - the old and the new day of every lead whose inputs changed, that appeared, or that
      disappeared or became invalid. -#}
{% macro touchpoint_days_to_replace() %}
    {%- if not execute or not is_incremental() -%}
        {{ return({'from': none, 'days': []}) }}
    {%- endif -%}
    {%- set session_days = changed_upstream_days(
        ref('int_sessions_classified'),
        'select landing_partition_date as day from changed_upstream',
    ) -%}
    {%- set first_day = session_days[0] if session_days else none -%}
    {%- set lead_days_sql -%}
        with current_leads as (
            {{ touchpoint_valid_leads() }}
        ),
        stored_leads as (
            select
                lead_id,
                lead_created_day,
                lead_inputs_hash
            from {{ this }}
            where touchpoint_number = 1
        ),
        changed_leads as (
            select
                current_leads.lead_created_day as new_day,
                stored_leads.lead_created_day as old_day
            from current_leads
            full outer join stored_leads
                on current_leads.lead_id = stored_leads.lead_id
            where current_leads.lead_inputs_hash is distinct from stored_leads.lead_inputs_hash
        ),
        days as (
            select new_day as day from changed_leads
            union
            select old_day as day from changed_leads
        )
        select cast(day as {{ dbt.type_string() }}) as day
        from days
        where day is not null
        {%- if first_day %} and day < cast('{{ first_day }}' as date){% endif %}
        order by 1
    {%- endset -%}
    {{ return({'from': first_day, 'days': run_query(lead_days_sql).columns[0].values() | map('string') | list}) }}
{% endmacro %}

{#- The lead days an incremental run of a model that follows `upstream` (another model
    incremental by lead day: int_touchpoints_credited follows int_touchpoints_collected,
    fct_attribution follows int_touchpoints_credited) replaces: those of the upstream rows
    written since its last run, and those the upstream holds no more. `rows` (a predicate)
    leaves out the upstream rows every run rewrites and the model replaces anyway (the
    markov credits). -#}
{% macro changed_lead_days(upstream, rows='1 = 1') %}
    {%- if not execute or not is_incremental() -%}
        {{ return({'from': none, 'days': []}) }}
    {%- endif -%}
    {%- set written_days = changed_upstream_days(
        upstream, 'select lead_created_day as day from changed_upstream where ' ~ rows) -%}
    {%- set vanished_sql -%}
        select distinct cast(lead_created_day as {{ dbt.type_string() }}) as day from {{ this }}
        where lead_created_day is not null
        except
        select distinct cast(lead_created_day as {{ dbt.type_string() }}) as day from {{ upstream }}
    {%- endset -%}
    {%- set vanished_days = run_query(vanished_sql).columns[0].values() | map('string') | list -%}
    {{ return({'from': none, 'days': (written_days + vanished_days) | unique | sort}) }}
{% endmacro %}

{#- The lead days an incremental run of int_touchpoints_credited replaces, besides every
    markov credit: those whose touchpoints changed. -#}
{% macro credited_days_to_replace() %}
    {{ return(changed_lead_days(ref('int_touchpoints_collected'))) }}
{% endmacro %}

{#- The lead days an incremental run of fct_attribution copies again, besides every markov
    row: those whose rule models' credits changed (every run rewrites the markov credits of
    every day, which are copied anyway). -#}
{% macro attribution_days_to_replace() %}
    {{ return(changed_lead_days(ref('int_touchpoints_credited'), rows="attribution_model <> 'markov'")) }}
{% endmacro %}
