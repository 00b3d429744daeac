with

credits as (
    select * from {{ ref('int_touchpoints_credited') }}
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
        cast(credit as {{ type_double() }}) as credit
    from credits
)

select * from final
