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
        "select file from glob(" ~ sql_string_literal(raw_dir ~ "/*/*.csv") ~ ") union all "
        ~ "select file from glob(" ~ sql_string_literal(raw_dir ~ "/*/*.parquet") ~ ")"
    ).columns[0].values() -%}
    {%- set found_files = [] -%}
    {%- for path in found -%}{%- do found_files.append(path | replace('\\', '/')) -%}{%- endfor -%}

    {%- set statements = ['create schema if not exists landing'] -%}
    {%- set csv_files = [] -%}
    {%- set checks = [] -%}
    {%- set messages = [] -%}
    {%- for meta in landing_tables() -%}
        {%- set stem = raw_dir ~ '/' ~ meta.file -%}
        {%- set has_csv = (stem ~ '.csv') in found_files -%}
        {%- set has_parquet = (stem ~ '.parquet') in found_files -%}
        {%- set view = 'landing.' ~ adapter.quote(meta.table) -%}
        {%- if has_csv and has_parquet -%}
            {%- do landing_file_delivered_twice(meta, stem) -%}
        {%- elif has_csv or has_parquet -%}
            {%- if has_csv -%}
                {%- set scan = landing_csv_scan(stem ~ ".csv") -%}
                {%- do csv_files.append(stem ~ ".csv") -%}
            {%- else -%}
                {%- set scan = landing_parquet_scan(stem ~ ".parquet") -%}
            {%- endif -%}
            {%- set sql -%}
                create or replace view {{ view }} as
                select
                    row_number() over () as _landing_row_number,
                    f as _landing_fields,
                    f.*
                from {{ scan }} as f
            {%- endset -%}
            {%- do statements.append(sql) -%}
            {%- do checks.append(meta) -%}
            {%- do messages.append(meta.file ~ (".csv" if has_csv else ".parquet")) -%}
        {%- else -%}
            {%- do register_absent_landing_file(meta, view, stem, statements, messages) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_statements(statements) -%}
    {%- do check_landing_csv_lines(csv_files) -%}

    {#- every column of the contract must be in the file (extra columns are allowed) -#}
    {%- for meta in checks -%}
        {%- set present = run_query(
            "select column_name from information_schema.columns where table_schema = 'landing' "
            ~ "and table_name = '" ~ meta.table ~ "'").columns[0].values() -%}
        {%- do check_landing_file_columns(meta, present,
            raw_dir ~ "/" ~ meta.file ~ "." ~ ("csv" if (raw_dir ~ '/' ~ meta.file ~ '.csv') in found_files else "parquet")) -%}
    {%- endfor -%}
    {%- do check_landing_sources_documented() -%}
    {{ log("landing: registered " ~ messages | length ~ " tables from " ~ raw_dir ~ ": " ~ messages | join(', '), info=true) }}
    {{ return('') }}
{% endmacro %}

{#-
    DuckDB: a landing CSV read exactly as LANDING.md says (comma, `"` quotes doubled inside a
    field, UTF-8), every column of its header as text, with no type or dialect sniffing (a
    sniffer reads the whole file and can fail on one bad line). The header is the file's
    first line, its names trimmed of spaces and quotes.
-#}
{% macro landing_csv_header(path) %}
    {%- set first_line = run_query(
        "select line from read_csv(" ~ sql_string_literal(path) ~ ", header = false, "
        ~ "auto_detect = false, delim = chr(1), quote = '', escape = '', ignore_errors = true, strict_mode = false, "
        ~ "columns = {'line': 'VARCHAR'}) limit 1").columns[0].values() -%}
    {%- if first_line | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Landing file " ~ path ~ " is empty: it needs at least its header line (LANDING.md).") }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for name in first_line[0].split(',') -%}
        {%- do names.append(name.strip().strip('"').strip()) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{% macro landing_csv_options(path) -%}
    {%- set columns = [] -%}
    {%- for name in landing_csv_header(path) -%}
        {%- do columns.append(sql_string_literal(name) ~ ": 'VARCHAR'") -%}
    {%- endfor -%}
    {{ sql_string_literal(path) }}, header = true, auto_detect = false, delim = ',', quote = '"',
    escape = '"', null_padding = false, columns = { {{- columns | join(', ') -}} }
{%- endmacro %}

{% macro landing_csv_scan(path) -%}
    read_csv({{ landing_csv_options(path) }})
{%- endmacro %}

{#-
    DuckDB: a typed landing Parquet file as the text LANDING.md's parsers read, column by
    column after its Parquet type: timestamps (zone-aware, naive, milli-, micro- or
    nanosecond) as `YYYY-MM-DDTHH:MM:SS.ffffff` (zone-aware ones in UTC with `Z`; nanoseconds
    rounded to microseconds), doubles and floats in plain decimal notation (`2.38e-05` ->
    `0.0000238`, `1e+16` -> `10000000000000000`; inf and NaN stay as they are and are
    unparseable), everything else (text, dates, decimals, integers, booleans) cast to text.
    A quarantined row's raw_row shows these texts: the value as the parser saw it.
-#}
{% macro landing_parquet_scan(path) %}
    {%- set schema = run_query(
        "select column_name, column_type from (describe select * from read_parquet("
        ~ sql_string_literal(path) ~ "))") -%}
    {%- set fields = [] -%}
    {%- for name, column_type in schema.rows -%}
        {%- set column = adapter.quote(name) -%}
        {%- set kind = column_type | upper -%}
        {%- if kind in ['TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ'] -%}
            {%- set text = "strftime(timezone('UTC', " ~ column ~ "), '%Y-%m-%dT%H:%M:%S.%fZ')" -%}
        {%- elif kind.startswith('TIMESTAMP') -%}
            {%- set text = "strftime(cast(" ~ column ~ " as timestamp), '%Y-%m-%dT%H:%M:%S.%f')" -%}
        {%- elif kind in ['DOUBLE', 'FLOAT', 'REAL'] -%}
            {%- set text = plain_decimal_text("cast(" ~ column ~ " as varchar)") -%}
        {%- else -%}
            {%- set text = "cast(" ~ column ~ " as varchar)" -%}
        {%- endif -%}
        {%- do fields.append(text ~ " as " ~ column) -%}
    {%- endfor -%}
    {{ return("(select " ~ fields | join(", ") ~ " from read_parquet(" ~ sql_string_literal(path) ~ "))") }}
{% endmacro %}

{#- A number's text in scientific notation (`-2.38e-05`) rewritten in plain decimal notation
    (`-0.0000238`); any other text as it is. -#}
{% macro plain_decimal_text(text) -%}
    {%- set pattern = "'^(-?)([0-9]+)(?:[.]([0-9]+))?e([-+][0-9]+)$'" -%}
    {%- set sign = "regexp_extract(" ~ text ~ ", " ~ pattern ~ ", 1)" -%}
    {%- set digits = "(regexp_extract(" ~ text ~ ", " ~ pattern ~ ", 2) || regexp_extract("
        ~ text ~ ", " ~ pattern ~ ", 3))" -%}
    {%- set point = "(length(regexp_extract(" ~ text ~ ", " ~ pattern ~ ", 2)) + cast(regexp_extract("
        ~ text ~ ", " ~ pattern ~ ", 4) as integer))" -%}
    case
        when not regexp_full_match({{ text }}, {{ pattern }}) then {{ text }}
        when {{ point }} <= 0 then {{ sign }} || '0.' || repeat('0', -{{ point }}) || {{ digits }}
        when {{ point }} >= length({{ digits }})
            then {{ sign }} || {{ digits }} || repeat('0', {{ point }} - length({{ digits }}))
        else {{ sign }} || left({{ digits }}, {{ point }}) || '.' || substr({{ digits }}, {{ point }} + 1)
    end
{%- endmacro %}

{#- Lines of the landing CSVs that cannot be read as CSV (a field count other than the
    header's, an unterminated quote, bytes that are not UTF-8) stop the build with one error
    that names every file and line and what is wrong, never the line's content (it may hold
    personal data). One extra parse of each CSV, every field read (the UTF-8 check needs
    it), without keeping its rows. -#}
{% macro check_landing_csv_lines(csv_files) %}
    {%- set problems = [] -%}
    {%- for path in csv_files -%}
        {%- set rejects = run_query(
            "select max(length(columns(*))) from read_csv(" ~ landing_csv_options(path) ~ ", store_rejects = true, "
            ~ "rejects_table = 'landing_csv_rejects', rejects_scan = 'landing_csv_reject_scans'); "
            ~ "select line, string_agg(distinct lower(error_type), ', ' order by lower(error_type)) "
            ~ "from landing_csv_rejects group by line order by line; ") -%}
        {%- set lines = [] -%}
        {%- for row in rejects.rows -%}
            {%- do lines.append("line " ~ row[0] ~ " (" ~ row[1] ~ ")") -%}
        {%- endfor -%}
        {%- if lines -%}
            {%- do problems.append(path ~ ": " ~ (lines[:20] | join(', '))
                ~ (" and " ~ (lines | length - 20) ~ " more lines" if lines | length > 20 else "")) -%}
        {%- endif -%}
        {%- do run_query("drop table if exists landing_csv_rejects; drop table if exists landing_csv_reject_scans") -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Landing files with lines that cannot be read as CSV (LANDING.md: comma-separated, "
            ~ "\"-quoted, UTF-8, as many fields as the header; line 1 is the header). Fix or remove "
            ~ "these lines and run again:\n  " ~ problems | join("\n  ")) }}
    {%- endif -%}
{% endmacro %}

{#- The errors both engines raise for a landing file delivered twice or missing. -#}
{% macro landing_file_delivered_twice(meta, stem) %}
    {{ exceptions.raise_compiler_error(
        "Landing table " ~ meta.file ~ " is delivered twice: " ~ stem
        ~ ".csv and " ~ stem ~ ".parquet. Keep one of them (LANDING.md).") }}
{% endmacro %}

{% macro landing_file_missing(stem) %}
    {{ exceptions.raise_compiler_error(
        "Required landing file is missing: " ~ stem ~ ".csv (or .parquet). "
        ~ "Set var raw_dir to the folder that holds it (LANDING.md).") }}
{% endmacro %}

{#- A landing file that is not there: an error when the contract requires it; otherwise the
    empty view of an optional file (appended to `statements`, logged in `messages`). -#}
{% macro register_absent_landing_file(meta, view, stem, statements, messages) %}
    {%- if not meta.optional -%}
        {%- do landing_file_missing(stem) -%}
    {%- endif -%}
    {%- do statements.append(empty_landing_view_sql(view, meta)) -%}
    {%- do messages.append(meta.file ~ ": optional file absent, empty source") -%}
{% endmacro %}

{% macro run_statements(statements) %}
    {%- for sql in statements -%}
        {%- do run_query(sql) -%}
    {%- endfor -%}
{% endmacro %}

{#- An absent optional file: an empty view with the contract's columns, all text. -#}
{% macro empty_landing_view_sql(view, meta) %}
    {%- set typed_nulls = [] -%}
    {%- set struct_fields = [] -%}
    {%- for column in meta.columns -%}
        {%- set null_text = "cast(null as " ~ dbt.type_string() ~ ")" -%}
        {%- do typed_nulls.append(null_text ~ " as " ~ adapter.quote(column.name)) -%}
        {%- do struct_fields.append((column.name, null_text)) -%}
    {%- endfor -%}
    {%- set sql -%}
        create or replace view {{ view }} as
        select
            cast(null as bigint) as _landing_row_number,
            {{ struct_of(struct_fields) }} as _landing_fields,
            {{ typed_nulls | join(', ') }}
        where false
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}

{#- A landing file without a column of the contract stops the build (names are case-sensitive). -#}
{% macro check_landing_file_columns(meta, present, path) %}
    {%- for column in meta.columns -%}
        {%- if column.name not in present -%}
            {{ exceptions.raise_compiler_error(
                "Landing file " ~ path
                ~ " has no column '" ~ column.name ~ "' (LANDING.md; names are case-sensitive).") }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{#- The sources' YAML documents the same columns as the contract. -#}
{% macro check_landing_sources_documented() %}
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
{% endmacro %}

{#-
    Spark: the same views, over external tables in schema `landing_files` that read the files
    where they are (`using csv` with every column as text, no schema inference; `using
    parquet`, every column cast to text by the view). A CSV is read whole by one task
    (multiLine, so quoted line breaks stay in their field), so monotonically_increasing_id()
    follows the file order; the view numbers rows from it. Dropping an external table never
    touches its file.
-#}
{% macro spark__register_landing_files() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = (var('raw_dir') | string).rstrip('/') -%}
    {#- every file under raw_dir, as Spark sees it (`file:/abs/path/<system>/<table>.csv`) -#}
    {%- do run_query(
        "create or replace temporary view fullfunnel_landing_listing using binaryFile options ("
        ~ "path " ~ sql_string_literal(raw_dir) ~ ", recursiveFileLookup 'true', pathGlobFilter '*.{csv,parquet}')") -%}
    {%- set found_files = run_query(
        "select path from fullfunnel_landing_listing").columns[0].values() | list -%}

    {%- set statements = [
        'create schema if not exists landing',
        'create schema if not exists landing_files',
    ] -%}
    {%- set checks = [] -%}
    {%- set extensions = {} -%}
    {%- set messages = [] -%}
    {%- for meta in landing_tables() -%}
        {%- set stem = raw_dir ~ '/' ~ meta.file -%}
        {#- the path as Spark listed it (absolute): a relative raw_dir would otherwise be read
            relative to the warehouse folder -#}
        {%- set found = namespace(csv=false, parquet=false, path=none) -%}
        {%- for path in found_files -%}
            {%- if path.endswith('/' ~ meta.file ~ '.csv') -%}
                {%- set found.csv = true -%}{%- set found.path = path -%}
            {%- endif -%}
            {%- if path.endswith('/' ~ meta.file ~ '.parquet') -%}
                {%- set found.parquet = true -%}{%- set found.path = path -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set view = 'landing.' ~ adapter.quote(meta.table) -%}
        {%- set file_table = 'landing_files.' ~ adapter.quote(meta.table) -%}
        {%- if found.csv and found.parquet -%}
            {%- do landing_file_delivered_twice(meta, stem) -%}
        {%- elif found.csv or found.parquet -%}
            {%- do statements.append('drop view if exists ' ~ view) -%}
            {%- do statements.append('drop table if exists ' ~ file_table) -%}
            {%- if found.csv -%}
                {%- set sql -%}
                    create table {{ file_table }}
                    using csv
                    options (
                        path {{ sql_string_literal(found.path) }},
                        header 'true',
                        inferSchema 'false',
                        sep ',',
                        quote '"',
                        escape '"',
                        multiLine 'true',
                        encoding 'UTF-8',
                        mode 'PERMISSIVE'
                    )
                {%- endset -%}
            {%- else -%}
                {%- set sql -%}
                    create table {{ file_table }}
                    using parquet
                    options (path {{ sql_string_literal(found.path) }})
                {%- endset -%}
            {%- endif -%}
            {%- do statements.append(sql) -%}
            {%- do checks.append(meta) -%}
            {%- do extensions.update({meta.table: "csv" if found.csv else "parquet"}) -%}
            {%- do messages.append(meta.file ~ "." ~ extensions[meta.table]) -%}
        {%- else -%}
            {%- do register_absent_landing_file(meta, view, stem, statements, messages) -%}
            {%- do statements.append('drop table if exists ' ~ file_table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_statements(statements) -%}

    {#- every column of the contract must be in the file; then the view, every column as text -#}
    {%- for meta in checks -%}
        {%- set file_table = 'landing_files.' ~ adapter.quote(meta.table) -%}
        {%- set present = run_query("select * from " ~ file_table ~ " limit 0").column_names | list -%}
        {%- do check_landing_file_columns(
            meta, present, raw_dir ~ "/" ~ meta.file ~ "." ~ extensions[meta.table]) -%}
        {%- set quoted = [] -%}
        {%- for name in present -%}{%- do quoted.append(adapter.quote(name)) -%}{%- endfor -%}
        {%- set as_text = [] -%}
        {%- for name in present -%}
            {%- do as_text.append("cast(f." ~ adapter.quote(name) ~ " as string) as " ~ adapter.quote(name)) -%}
        {%- endfor -%}
        {%- set sql -%}
            create or replace view landing.{{ adapter.quote(meta.table) }} as
            with
            file_rows as (
                select {{ as_text | join(', ') }}, monotonically_increasing_id() as _landing_file_position
                from {{ file_table }} as f
            )
            select
                row_number() over (order by _landing_file_position) as _landing_row_number,
                struct({{ quoted | join(', ') }}) as _landing_fields,
                {{ quoted | join(', ') }}
            from file_rows
        {%- endset -%}
        {%- do run_query(sql) -%}
    {%- endfor -%}
    {%- do check_landing_sources_documented() -%}
    {{ log("landing: registered " ~ messages | length ~ " tables from " ~ raw_dir ~ ": " ~ messages | join(', '), info=true) }}
    {{ return('') }}
{% endmacro %}
