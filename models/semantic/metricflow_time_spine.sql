{#- The day spine MetricFlow joins metrics to (dbt's time spine): every day from 2000 to
    2050, cross-database (dbt.date_spine). -#}
with

days as (
    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2051-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
