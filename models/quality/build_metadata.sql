{#- One row about the build that produced this warehouse: the dbt invocation, when it ran,
    the metric-definitions version and the vars the numbers depend on. Exporters copy it into
    every snapshot's manifest. -#}
with

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as run_started_at,
        cast('{{ dbt_version }}' as {{ dbt.type_string() }}) as dbt_version,
        cast('{{ var("metrics_version") }}' as {{ dbt.type_string() }}) as metrics_version,
        cast({{ sql_string_literal(var("raw_dir")) }} as {{ dbt.type_string() }}) as raw_dir,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast('{{ var("reporting_timezone") }}' as {{ dbt.type_string() }}) as reporting_timezone,
        cast('{{ var("attribution_model") }}' as {{ dbt.type_string() }}) as attribution_model,
        cast({{ var("gross_margin") }} as {{ type_double() }}) as gross_margin,
        cast({{ var("yandex_direct_vat_rate") }} as {{ type_double() }}) as yandex_direct_vat_rate,
        cast({{ var("quarantine_max_share") }} as {{ type_double() }}) as quarantine_max_share,
        cast({{ var("attribution_window_days") }} as {{ dbt.type_int() }}) as attribution_window_days,
        cast({{ var("lead_dedup_days") }} as {{ dbt.type_int() }}) as lead_dedup_days,
        cast({{ "'" ~ var("as_of_date") ~ "'" if var("as_of_date") else "null" }} as date) as as_of_date,
        cast('{{ event_date_range().earliest }}' as date) as earliest_event_date,
        cast('{{ event_date_range().latest }}' as date) as latest_event_date
)

select * from final
