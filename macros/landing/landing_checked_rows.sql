{#-
    landing_checked_rows(source_name, table_name): every raw row of one landing table, its
    columns trimmed and cast, with the quarantine rule it breaks (NULL when it is staged).

    The rules come from landing_contract() (LANDING.md as data).

    Checks run in LANDING.md's order, each over the columns in the contract's order:
    missing, unparseable, negative, unknown_value, unknown_currency, no_fx_rate:<currency
    column>, out_of_range:<column> (the range_checked columns' UTC date outside vars
    earliest_event_date .. latest_event_date, see event_date_range()). A row gets the first
    rule it breaks. Among the rows that pass, the last row of a
    key in the file is kept and the earlier ones get `superseded`.

    Incremental tables (contract `incremental_by`) re-check on an incremental run only the
    days within var restatement_window_days of the latest day they hold, and rows whose day
    cannot be read. Before any value is parsed, a prefilter on the dating column's text skips
    the rows whose text starts with a day (YYYY-MM-DD) more than one day before the window:
    a timestamp's UTC day is within a day of the day it is written with, and a row whose
    text cannot be parsed keeps the partition of that written day (landing_day_partition),
    so no skipped row belongs to a partition the run replaces.

    Output columns: landing_row_number, quarantine_rule, raw_row (JSON of the row as read,
    quarantined rows only), every contract column under its own name (typed), and for tables
    with money: fx_rate_to_reporting (units of the reporting currency per unit of the row's
    currency on the row's date; 1 for the reporting currency).
-#}
{% macro landing_checked_rows(source_name, table_name) %}
    {%- set meta = landing_contract()[table_name] -%}
    {%- set columns = meta.columns -%}
    {%- set key = meta.key -%}
    {%- set fx = meta.get('fx') -%}
    {%- set reporting_currency = var('reporting_currency') -%}

    {%- set q = adapter.quote -%}
    {#- incremental tables (append-only sources): each run re-checks the days inside var
        restatement_window_days of the latest day loaded, and rows whose day is unknown -#}
    {%- set found = namespace(column=none) -%}
    {%- for c in columns if c.name == meta.get('incremental_by') -%}
        {%- set found.column = c -%}
    {%- endfor -%}
    {%- set partition_column = found.column -%}
    {%- set first_replaced_day = landing_first_replaced_day() if partition_column and is_incremental() else none -%}
    {%- set dated_type = [] -%}
    {%- for c in columns if fx and c.name == fx.dated_by -%}
        {%- do dated_type.append(c.type) -%}
    {%- endfor -%}

    {#- (rule, condition) pairs in LANDING.md's order; `<col>__text` is the trimmed text -#}
    {%- set checks = [] -%}
    {%- for c in columns -%}
        {%- if c.get('required') or (c.name in key and not c.get('nullable_key')) -%}
            {%- do checks.append(("missing:" ~ c.name, q(c.name ~ "__text") ~ " is null")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for c in columns -%}
        {%- if c.type != 'string' -%}
            {%- do checks.append(("unparseable:" ~ c.name,
                q(c.name ~ "__text") ~ " is not null and " ~ q(c.name) ~ " is null")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for c in columns -%}
        {%- if c.get('non_negative') -%}
            {%- do checks.append(("negative:" ~ c.name, q(c.name) ~ " < 0")) -%}
        {%- elif c.get('positive') -%}
            {%- do checks.append(("negative:" ~ c.name, q(c.name) ~ " <= 0")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for c in columns -%}
        {%- set closed = c.get('closed_list') -%}
        {%- if closed -%}
            {%- if closed is string -%}{%- set closed = var(closed).keys() | list | sort -%}{%- endif -%}
            {%- set quoted = [] -%}
            {%- for v in closed -%}{%- do quoted.append("'" ~ (v | lower) ~ "'") -%}{%- endfor -%}
            {%- do checks.append(("unknown_value:" ~ c.name,
                q(c.name) ~ " not in (" ~ quoted | join(", ") ~ ")")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set currency_checks = [] -%}
    {%- for c in columns -%}
        {%- if c.get('currency') -%}
            {%- if meta.get('currency_format_only') -%}
                {%- set condition = "not " ~ regexp_full_match(q(c.name), "[A-Z]{3}") -%}
            {%- else -%}
                {%- set condition = q(c.name) ~ " <> '" ~ reporting_currency ~ "' and "
                    ~ q(c.name) ~ " not in (select known_currencies.currency from known_currencies)" -%}
                {%- do currency_checks.append(c.name) -%}
            {%- endif -%}
            {%- do checks.append(("unknown_currency:" ~ c.name, condition)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set range_checks = [] -%}
    {%- set event_range = event_date_range() -%}
    {%- for c in columns if c.get('range_checked') -%}
        {%- set day = utc_date_of(q(c.name), c.type) -%}
        {%- do range_checks.append(("out_of_range:" ~ c.name,
            day ~ " < cast('" ~ event_range.earliest ~ "' as date) or "
            ~ day ~ " > cast('" ~ event_range.latest ~ "' as date)")) -%}
    {%- endfor -%}

with

landing as (
    select * from {{ source(source_name, table_name) }}
),

trimmed as (
    select
        _landing_row_number as landing_row_number,
        _landing_fields as landing_fields,
        {%- for c in columns %}
        {{ trim_blank(q(c.name)) }} as {{ q(c.name ~ "__text") }}{{ "," if not loop.last }}
        {%- endfor %}
    from landing
    {%- if partition_column and is_incremental() %}
    {{ landing_day_prefilter(q(partition_column.name), first_replaced_day) }}
    {%- endif %}
),

parsed as (
    select
        *,
        {%- for c in columns %}
        {%- set ltype = 'closed' if c.get('closed_list') else c.type %}
        {{ parse_landing_value(q(c.name ~ "__text"), ltype) }} as {{ q(c.name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from trimmed
),
{%- if partition_column %}

partitioned as (
    select
        *,
        {{ utc_date_of(q(partition_column.name), partition_column.type) }} as landing_partition_date,
        {{ landing_day_partition(
            utc_date_of(q(partition_column.name), partition_column.type),
            q(partition_column.name ~ "__text"),
        ) }} as landing_partition
    from parsed
),

in_window as (
    select * from partitioned
    {%- if is_incremental() %}
    where
        landing_partition = 'unknown'
        or landing_partition >= '{{ first_replaced_day }}'
    {%- endif %}
),
{%- endif %}
{%- if currency_checks %}

known_currencies as (
    select distinct currency from {{ ref('stg_finance__fx_rates') }}
),
{%- endif %}

format_checked as (
    select
        *,
        case
            {%- for rule, condition in checks %}
            when {{ condition }} then '{{ rule }}'
            {%- endfor %}
        end as format_rule
    from {{ 'in_window' if partition_column else 'parsed' }}
),
{%- if fx %}
{%- set row_currency = "format_checked." ~ q(fx.currency) %}
{%- set row_date = utc_date_of("format_checked." ~ q(fx.dated_by), dated_type[0]) %}
{%- endif %}

checked as (
    select
        format_checked.*,
        {%- if fx %}
        case
            when {{ row_currency }} = '{{ reporting_currency }}' then 1.0
            else {{ fx_rate_in_force_value() }}
        end as fx_rate_to_reporting,
        coalesce(
            format_checked.format_rule,
            case
                when
                    {{ row_currency }} <> '{{ reporting_currency }}'
                    and {{ fx_rate_in_force_value() }} is null
                    and (
                        {%- for amount in fx.amounts %}
                        format_checked.{{ q(amount) }} is not null{{ " or" if not loop.last }}
                        {%- endfor %}
                    )
                    then 'no_fx_rate:{{ fx.currency }}'
            end
        ) as checked_rule
        {%- else %}
        format_checked.format_rule as checked_rule
        {%- endif %}
    from format_checked
    {%- if fx %}
    {{ fx_rate_in_force_joins(
        row_currency,
        row_date,
        condition="format_checked.format_rule is null and " ~ row_currency
            ~ " <> '" ~ reporting_currency ~ "'",
    ) }}
    {%- endif %}
),

range_checked as (
    select
        *,
        {%- if range_checks %}
        coalesce(
            checked_rule,
            case
                {%- for rule, condition in range_checks %}
                when {{ condition }} then '{{ rule }}'
                {%- endfor %}
            end
        ) as failed_rule
        {%- else %}
        checked_rule as failed_rule
        {%- endif %}
    from checked
),

ranked as (
    select
        *,
        case
            when failed_rule is null
                then row_number() over (
                    partition by
                        failed_rule is null,
                        {%- for k in key %}
                        {{ q(k) }}{{ "," if not loop.last }}
                        {%- endfor %}
                    order by landing_row_number desc
                )
        end as key_rank
    from range_checked
),

final as (
    select
        landing_row_number,
        case
            when failed_rule is not null then failed_rule
            when key_rank > 1 then 'superseded'
        end as quarantine_rule,
        case
            when failed_rule is not null or key_rank > 1
                then cast({{ row_to_json("landing_fields") }} as {{ dbt.type_string() }})
        end as raw_row,
        {%- if partition_column %}
        landing_partition_date,
        landing_partition,
        cast('{{ landing_settings_fingerprint(table_name) }}' as {{ dbt.type_string() }})
            as landing_settings_fingerprint,
        {%- endif %}
        {%- for c in columns %}
        {{ q(c.name) }}{{ "," if not loop.last or fx }}
        {%- endfor %}
        {%- if fx %}
        fx_rate_to_reporting
        {%- endif %}
    from ranked
)

select * from final
{% endmacro %}


{#- The UTC date of a parsed landing value: a date as it is, a timestamp's UTC day. -#}
{% macro utc_date_of(expr, landing_type) -%}
    {%- if landing_type == 'timestamp' -%}
        cast({{ expr }} as date)
    {%- else -%}
        {{ expr }}
    {%- endif -%}
{%- endmacro %}
