with

checked_rows as (
    select * from {{ ref('base_finance__fx_rates') }}
    where quarantine_rule is null
),

final as (
    select
        currency,
        rate,
        date as rate_date,
        date as valid_from_date,
        lead(date) over (partition by currency order by date) as valid_until_date
    from checked_rows
)

select * from final
