{#-
    register_landing_files(): the one engine-specific edge of the project (DESIGN.md).

    Runs as `on-run-start`. For every table of landing_contract() (the file `<system>/<table>`
    under var `raw_dir`), it registers a view
    `landing.<table>` that reads the file with every column as text, so that a malformed
    value can never abort the load (LANDING.md):

      - `<table>.csv` (header row, `,`, `"` quoting, empty = NULL) or `<table>.parquet`
        (every column cast to text); both at once is an error that names them;
      - a missing required file is an error that names it; a missing optional file
        (`meta.landing_optional`) becomes an empty view with the contract's columns;
      - a file without a column of the contract is an error that names file and column.

    Each view carries `_landing_row_number` (the row's position in the file, 1-based: the
    last row of a key wins) and `_landing_fields` (the whole row as read, every column of
    the file by its header name, for the quarantine's raw_row), then the columns.
-#}
{% macro register_landing_files() %}
    {{ return(adapter.dispatch('register_landing_files', 'fullfunnel')()) }}
{% endmacro %}

{% macro default__register_landing_files() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = (var('raw_dir') | string).rstrip('/') -%}
    {%- set found = run_query(
        "select file from glob('" ~ raw_dir ~ "/*/*.csv') union all "
        ~ "select file from glob('" ~ raw_dir ~ "/*/*.parquet')"
    ).columns[0].values() -%}
    {%- set found_files = [] -%}
    {%- for path in found -%}{%- do found_files.append(path | replace('\\', '/')) -%}{%- endfor -%}

    {%- set statements = ['create schema if not exists landing'] -%}
    {%- set checks = [] -%}
    {%- set messages = [] -%}
    {%- for meta in landing_tables() -%}
        {%- set stem = raw_dir ~ '/' ~ meta.file -%}
        {%- set has_csv = (stem ~ '.csv') in found_files -%}
        {%- set has_parquet = (stem ~ '.parquet') in found_files -%}
        {%- set view = 'landing.' ~ adapter.quote(meta.table) -%}
        {%- if has_csv and has_parquet -%}
            {{ exceptions.raise_compiler_error(
                "Landing table " ~ meta.file ~ " is delivered twice: " ~ stem
                ~ ".csv and " ~ stem ~ ".parquet. Keep one of them (LANDING.md).") }}
        {%- elif has_csv or has_parquet -%}
            {%- if has_csv -%}
                {%- set scan = "read_csv('" ~ stem ~ ".csv', header = true, delim = ',', "
                    ~ "quote = '\"', escape = '\"', all_varchar = true, "
                    ~ "null_padding = false, sample_size = -1)" -%}
                {%- set fields = "f" -%}
            {%- else -%}
                {%- set scan = "(select cast(columns(*) as varchar) from read_parquet('"
                    ~ stem ~ ".parquet'))" -%}
                {%- set fields = "f" -%}
            {%- endif -%}
            {%- set sql -%}
                create or replace view {{ view }} as
                select
                    row_number() over () as _landing_row_number,
                    {{ fields }} as _landing_fields,
                    f.*
                from {{ scan }} as f
            {%- endset -%}
            {%- do statements.append(sql) -%}
            {%- do checks.append(meta) -%}
            {%- do messages.append(meta.file ~ (".csv" if has_csv else ".parquet")) -%}
        {%- elif meta.optional -%}
            {%- set typed_nulls = [] -%}
            {%- set struct_fields = [] -%}
            {%- for column in meta.columns -%}
                {%- do typed_nulls.append("cast(null as varchar) as " ~ adapter.quote(column.name)) -%}
                {%- do struct_fields.append(adapter.quote(column.name) ~ " := cast(null as varchar)") -%}
            {%- endfor -%}
            {%- set sql -%}
                create or replace view {{ view }} as
                select
                    cast(null as bigint) as _landing_row_number,
                    struct_pack({{ struct_fields | join(', ') }}) as _landing_fields,
                    {{ typed_nulls | join(', ') }}
                where false
            {%- endset -%}
            {%- do statements.append(sql) -%}
            {%- do messages.append(meta.file ~ ": optional file absent, empty source") -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "Required landing file is missing: " ~ stem ~ ".csv (or .parquet). "
                ~ "Set var raw_dir to the folder that holds it (LANDING.md).") }}
        {%- endif -%}
    {%- endfor -%}

    {%- for sql in statements -%}
        {%- do run_query(sql) -%}
    {%- endfor -%}

    {#- every column of the contract must be in the file (extra columns are allowed) -#}
    {%- for meta in checks -%}
        {%- set present = run_query(
            "select column_name from information_schema.columns where table_schema = 'landing' "
            ~ "and table_name = '" ~ meta.table ~ "'").columns[0].values() -%}
        {%- for column in meta.columns -%}
            {%- if column.name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "Landing file " ~ raw_dir ~ "/" ~ meta.file ~ "." ~ ("csv" if (raw_dir ~ '/' ~ meta.file ~ '.csv') in found_files else "parquet")
                    ~ " has no column '" ~ column.name ~ "' (LANDING.md; names are case-sensitive).") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}

    {#- the sources' YAML documents the same columns as the contract -#}
    {%- for meta in landing_tables() -%}
        {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ meta.system ~ '.' ~ meta.table) -%}
        {%- set documented = (node.columns.keys() | list) if node else [] -%}
        {%- set contracted = meta.columns | map(attribute='name') | list -%}
        {%- if documented != contracted -%}
            {{ exceptions.raise_compiler_error(
                "Source " ~ meta.system ~ "." ~ meta.table ~ " documents columns " ~ documented
                ~ " but landing_contract() has " ~ contracted) }}
        {%- endif -%}
    {%- endfor -%}
    {{ log("landing: registered " ~ messages | length ~ " tables from " ~ raw_dir ~ ": " ~ messages | join(', '), info=true) }}
    {{ return('') }}
{% endmacro %}
