{#- int_markov_path_steps is incremental by path: a converting path is a valid lead's
    touchpoint channels, a non-converting one the sessions of a visitor_id without a valid
    lead. An incremental run recomputes only the paths whose inputs can have changed since
    its last run, and keeps the others:

    - converting paths: those of the lead days int_touchpoints_collected wrote since, or holds
      no more (changed_lead_days);
    - non-converting paths: those of the visitors that have a session on a day
      int_sessions_classified wrote since (from the earliest such day on: it replaces
      whole days, the new ones at the end of the history and the re-read ones whose
      sessions changed), that had one there when the path was stored (a
      session can vanish from a restated day), and whose valid lead appeared, changed or
      went (the visitor_id of a valid lead of a replaced lead day, now or when stored).

    The new rows are appended; a post-hook then deletes the stored rows of every recomputed
    path (a path can vanish: a visitor gains a lead). Both read the same lists of days
    (computed once per run, kept on the run's graph node) and the stored rows older than the
    run, so they agree on what is recomputed. On Spark the model is a table, rebuilt in
    full each run (lead_day_materialization). -#}

{#- {'session_from': first day or none, 'lead_days': [YYYY-MM-DD, ...]}; nothing on a full
    build. -#}
{% macro markov_paths_to_replace() %}
    {%- if not execute or not is_incremental() -%}
        {{ return({'session_from': none, 'lead_days': []}) }}
    {%- endif -%}
    {%- set memo = graph.nodes.get(model.unique_id, model) -%}
    {%- if 'fullfunnel_markov_paths_to_replace' not in memo -%}
        {%- set session_days = changed_upstream_days(
            ref('int_sessions_classified'),
            'select landing_partition_date as day from changed_upstream',
        ) -%}
        {%- set lead_days = changed_lead_days(ref('int_touchpoints_collected')) -%}
        {%- do memo.update({'fullfunnel_markov_paths_to_replace': {
            'session_from': session_days[0] if session_days else none,
            'lead_days': lead_days['days'],
        }}) -%}
    {%- endif -%}
    {{ return(memo['fullfunnel_markov_paths_to_replace']) }}
{% endmacro %}

{#- The visitor_ids whose non-converting path an incremental run recomputes (see above), as
    a query; `stored` is the relation of the stored paths (this). -#}
{% macro markov_visitors_to_replace(replaced, stored) -%}
    {%- set lead_day_in = replaced_lead_days_predicate(
        'lead_created_day', {'from': none, 'days': replaced['lead_days']}) -%}
    {%- set stored_rows = stored ~ ' where written_at < ' ~ run_written_at() -%}
    {%- if replaced['session_from'] %}
        {%- set session_from = "cast('" ~ replaced['session_from'] ~ "' as date)" %}
        select visitor_id from {{ ref('int_sessions_classified') }}
        where landing_partition_date >= {{ session_from }}
        union
        select path_id as visitor_id from {{ stored_rows }}
            and not is_converting
            and last_session_day >= {{ session_from }}
        union
    {%- endif %}
    select visitor_id from ({{ touchpoint_valid_leads() }}) as leads
    where {{ lead_day_in }}
    union
    select visitor_id from {{ stored_rows }}
        and is_converting
        and {{ lead_day_in }}
{%- endmacro %}

{#- Post-hook of int_markov_path_steps: on an incremental run, deletes the stored rows of
    the paths it recomputed. -#}
{% macro delete_replaced_markov_paths() -%}
    {%- if is_incremental() -%}
        {%- set replaced = markov_paths_to_replace() -%}
        delete from {{ this }}
        where
            written_at < {{ run_written_at() }}
            and (
                (is_converting and {{ replaced_lead_days_predicate(
                    'lead_created_day', {'from': none, 'days': replaced['lead_days']}) }})
                or (not is_converting and path_id in (
                    {{ markov_visitors_to_replace(replaced, this) }}
                ))
            )
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}
