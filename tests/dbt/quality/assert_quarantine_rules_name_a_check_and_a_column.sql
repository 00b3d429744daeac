-- Every quarantined row names a landing file of the contract and what it broke as LANDING.md
-- ("Rules") names it: `superseded`, or `<check>:<column>` with one of the seven checks and a
-- column of that file. Returns the rows that do not (a misspelt check, a column of another
-- file, a file the contract does not have).
with

landing_columns as (
    {% call(landing_table) union_landing_tables() %}
    {%- for column in landing_table.columns %}
            select
                '{{ landing_table.system }}' as source_system,
                '{{ landing_table.table }}' as source_table,
                '{{ column.name }}' as column_name
            {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% endcall %}
),

quarantined as (
    select
        source_system,
        source_table,
        rule,
        split_part(rule, ':', 1) as rule_check,
        split_part(rule, ':', 2) as rule_column
    from {{ ref('quarantine') }}
)

select
    quarantined.source_system,
    quarantined.source_table,
    quarantined.rule
from quarantined
where not exists (
        select 1
        from landing_columns
        where
            landing_columns.source_system = quarantined.source_system
            and landing_columns.source_table = quarantined.source_table
            and (
                quarantined.rule = 'superseded'
                or (
                    quarantined.rule_check in (
                        'missing', 'unparseable', 'negative', 'unknown_value', 'unknown_currency',
                        'no_fx_rate', 'out_of_range'
                    )
                    and quarantined.rule_column = landing_columns.column_name
                )
            )
    )
