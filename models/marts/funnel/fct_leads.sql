with

leads as (
    select * from {{ ref('int_leads_progressed') }}
),

lead_channels as (
    select * from {{ ref('int_leads_channeled') }}
),

final as (
    select
        cast(leads.lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(leads.created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(leads.lead_month as date) as lead_month,
        cast(leads.is_valid as {{ dbt.type_boolean() }}) as is_valid,
        cast(leads.invalid_reason as {{ dbt.type_string() }}) as invalid_reason,
        cast(leads.duplicate_of_lead_id as {{ dbt.type_string() }}) as duplicate_of_lead_id,
        cast(lead_channels.channel as {{ dbt.type_string() }}) as channel,
        cast(leads.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(leads.status as {{ dbt.type_string() }}) as status,
        cast(leads.first_call_at as {{ dbt.type_timestamp() }}) as first_call_at,
        cast(leads.speed_to_lead_minutes as {{ type_double() }}) as speed_to_lead_minutes,
        cast(leads.is_contacted as {{ dbt.type_boolean() }}) as is_contacted,
        cast(leads.is_qualified as {{ dbt.type_boolean() }}) as is_qualified,
        cast(leads.has_deal as {{ dbt.type_boolean() }}) as has_deal,
        cast(leads.is_won as {{ dbt.type_boolean() }}) as is_won,
        cast(leads.won_at as {{ dbt.type_timestamp() }}) as won_at,
        cast(leads.customer_id as {{ dbt.type_string() }}) as customer_id
    from leads
    left join lead_channels
        on leads.lead_id = lead_channels.lead_id
)

select * from final
