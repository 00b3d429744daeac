{#- Every valid lead's touchpoints with their credit under each attribution model (MARTS.md),
    from int_touchpoints_credited with the public types.

    Incremental by lead day, as int_touchpoints_credited (macros/incremental/
    incremental_by_lead_day.sql): a run copies the rows of the lead days whose credits were
    written since its last run, and every markov row. -#}
{{ incremental_by_lead_day_config(
    meta={'incremental_inputs': {}},
    replaced_days='attribution_days_to_replace()',
    always_replaced="attribution_model = 'markov'",
) }}
{%- set replaced = attribution_days_to_replace() %}

with

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
    {%- if is_incremental() %}
        where
            attribution_model = 'markov'
            or {{ replaced_lead_days_predicate('lead_created_day', replaced) }}
    {%- endif %}
),

final as (
    select
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(attribution_model as {{ dbt.type_string() }}) as attribution_model,
        cast(touchpoint_number as {{ dbt.type_int() }}) as touchpoint_number,
        cast(touchpoint_count as {{ dbt.type_int() }}) as touchpoint_count,
        cast(touchpoint_at as {{ dbt.type_timestamp() }}) as touchpoint_at,
        cast(session_id as {{ dbt.type_string() }}) as session_id,
        cast(touchpoint_source as {{ dbt.type_string() }}) as touchpoint_source,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(channel_group as {{ dbt.type_string() }}) as channel_group,
        cast(ad_platform as {{ dbt.type_string() }}) as ad_platform,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(credit as {{ type_double() }}) as credit,
        cast(lead_created_day as date) as lead_created_day,
        cast({{ run_written_at() }} as {{ dbt.type_timestamp() }}) as written_at,
        cast(
            {{ upstream_written_through(ref('int_touchpoints_credited')) }} as {{ dbt.type_timestamp() }}
        ) as upstream_written_through,
        cast('{{ incremental_settings_fingerprint() }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint
    from credits
)

select * from final
