{#-
    The project's settings (dbt vars, DESIGN.md "Runtime interface"), checked when a run
    starts (the first on-run-start hook): type, range and list membership; and the DuckDB
    warehouse file's name (warehouse_file_name_problems). Every problem is
    reported in one error that names the var, the value it got and what is allowed, before
    any model runs, so that a typo never becomes a silently wrong number.
-#}

{#- A short description of a var value's kind, for the error message. -#}
{% macro value_kind(value) -%}
    {%- if value is none -%}none
    {%- elif value is sameas true or value is sameas false -%}boolean
    {%- elif value is number -%}number
    {%- elif value is string -%}text
    {%- elif value is mapping -%}mapping
    {%- elif value is iterable -%}list
    {%- else -%}{{ value.__class__.__name__ }}
    {%- endif -%}
{%- endmacro %}

{#- The value as a number when it is one (or the text of one), else none. -#}
{% macro number_of(value) -%}
    {%- if value is sameas true or value is sameas false or value is none -%}
        {{ return(none) }}
    {%- elif value is number -%}
        {{ return(value) }}
    {%- elif value is string and modules.re.fullmatch('-?[0-9]+([.][0-9]+)?', value.strip()) -%}
        {{ return(value.strip() | float) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- The value as a date (YYYY-MM-DD, a real calendar day) when it is one, else none. A date
    written unquoted in YAML arrives as a date object; its text is the same. -#}
{% macro date_of(value) -%}
    {%- if value is none or value is sameas true or value is sameas false or value is number -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = (value | string).strip() -%}
    {%- set match = modules.re.fullmatch('([0-9]{4})-([0-9]{2})-([0-9]{2})', text) -%}
    {%- if not match -%}{{ return(none) }}{%- endif -%}
    {%- set year, month, day = match.group(1) | int, match.group(2) | int, match.group(3) | int -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 -%}{{ return(none) }}{%- endif -%}
    {%- set next_month = modules.datetime.date(year + (month // 12), (month % 12) + 1, 1) -%}
    {%- if day > (next_month - modules.datetime.timedelta(days=1)).day -%}{{ return(none) }}{%- endif -%}
    {{ return(modules.datetime.date(year, month, day)) }}
{%- endmacro %}

{#- The event dates LANDING.md rule 7 accepts (vars earliest_event_date, latest_event_date;
    the latter defaults to the day after the run's UTC start date), as YYYY-MM-DD texts.
    Lenient: an invalid var falls back to its default here, and validate_vars() stops the
    run with the message that names it. -#}
{% macro event_date_range() -%}
    {%- set earliest = date_of(var('earliest_event_date', '2000-01-01'))
        or modules.datetime.date(2000, 1, 1) -%}
    {%- set latest = date_of(var('latest_event_date', none))
        or (run_started_at + modules.datetime.timedelta(days=1)).date() -%}
    {{ return({'earliest': earliest.isoformat(), 'latest': latest.isoformat()}) }}
{%- endmacro %}

{#- One problem with one var, in the shared wording. -#}
{% macro var_problem(name, value, allowed) -%}
    Invalid dbt var {{ name }}: got {{ value | tojson if value is string else value }} ({{ value_kind(value) }}); allowed: {{ allowed }}
{%- endmacro %}

{% macro validate_vars() %}
    {%- set problems = [] -%}

    {#- numbers: (name, minimum, maximum, whole, allowed) -#}
    {%- set numeric_vars = [
        ('attribution_window_days', 0, none, true, 'a whole number of days >= 0'),
        ('attribution_half_life_days', 0, none, false, 'a number of days > 0'),
        ('lead_dedup_days', 0, none, true, 'a whole number of days >= 0'),
        ('restatement_window_days', 0, none, true, 'a whole number of days >= 0'),
        ('yandex_direct_vat_rate', 0, none, false, 'a rate >= 0 (0.20 = 20%)'),
        ('gross_margin', 0, 1, false, 'a share > 0 and <= 1'),
        ('quarantine_max_share', 0, 1, false, 'a share from 0 to 1'),
        ('source_freshness_warn_after_hours', 1, none, true, 'a whole number of hours >= 1'),
        ('source_freshness_error_after_hours', 1, none, true, 'a whole number of hours >= 1'),
    ] -%}
    {%- for name, minimum, maximum, whole, allowed in numeric_vars -%}
        {%- set value = var(name) -%}
        {%- set number = number_of(value) -%}
        {%- set strictly_positive = name in ['attribution_half_life_days', 'gross_margin'] -%}
        {%- if number is none
            or (whole and number != (number | int))
            or number < minimum
            or (strictly_positive and number <= 0)
            or (maximum is not none and number > maximum) -%}
            {%- do problems.append(var_problem(name, value, allowed)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set warn_hours = number_of(var('source_freshness_warn_after_hours')) -%}
    {%- set error_hours = number_of(var('source_freshness_error_after_hours')) -%}
    {%- if warn_hours is not none and error_hours is not none and error_hours < warn_hours -%}
        {%- do problems.append(var_problem('source_freshness_error_after_hours', var('source_freshness_error_after_hours'),
            'at least source_freshness_warn_after_hours (' ~ var('source_freshness_warn_after_hours') ~ ')')) -%}
    {%- endif -%}

    {#- texts -#}
    {%- for name in ['raw_dir', 'reporting_timezone', 'metrics_version'] -%}
        {%- set value = var(name) -%}
        {%- if value is not string or value.strip() == '' -%}
            {%- do problems.append(var_problem(name, value, 'a non-empty text')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set currency = var('reporting_currency') -%}
    {%- if currency is not string or not modules.re.fullmatch('[A-Z]{3}', currency) -%}
        {%- do problems.append(var_problem('reporting_currency', currency,
            'a currency code of three upper-case letters (USD)')) -%}
    {%- endif -%}
    {%- set model = var('attribution_model') -%}
    {%- if model not in attribution_models() -%}
        {%- do problems.append(var_problem('attribution_model', model,
            attribution_models() | join(', '))) -%}
    {%- endif -%}

    {#- lists of texts -#}
    {%- for name in ['test_email_domains', 'search_engine_domains'] -%}
        {%- set value = var(name) -%}
        {%- set texts = [] -%}
        {%- if value is iterable and value is not string and value is not mapping -%}
            {%- for item in value if item is string and item.strip() != '' -%}
                {%- do texts.append(item) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if value is string or value is mapping or value is not iterable
            or texts | length != value | length -%}
            {%- do problems.append(var_problem(name, value, 'a list of non-empty texts')) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- click_id_sources: click id type -> {utm_source, utm_medium} -#}
    {%- set sources = var('click_id_sources') -%}
    {%- set good = namespace(ok=sources is mapping) -%}
    {%- if good.ok -%}
        {%- for key, utms in sources.items() -%}
            {%- if key is not string or utms is not mapping
                or utms.get('utm_source') is not string or utms.get('utm_medium') is not string -%}
                {%- set good.ok = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not good.ok -%}
        {%- do problems.append(var_problem('click_id_sources', sources,
            'a mapping of click id type to {utm_source: text, utm_medium: text}')) -%}
    {%- endif -%}

    {#- dates -#}
    {%- set earliest = date_of(var('earliest_event_date')) -%}
    {%- if earliest is none -%}
        {%- do problems.append(var_problem('earliest_event_date', var('earliest_event_date'),
            'a date YYYY-MM-DD')) -%}
    {%- endif -%}
    {%- for name in ['latest_event_date', 'as_of_date'] -%}
        {%- set value = var(name) -%}
        {%- set day = date_of(value) -%}
        {%- if value is not none and day is none -%}
            {%- do problems.append(var_problem(name, value, 'none, or a date YYYY-MM-DD')) -%}
        {%- elif day is not none and earliest is not none and day < earliest -%}
            {%- do problems.append(var_problem(name, value,
                'none, or a date on or after earliest_event_date (' ~ earliest ~ ')')) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- do problems.extend(warehouse_file_name_problems()) -%}

    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            problems | length ~ " invalid setting" ~ ("s" if problems | length > 1 else "")
            ~ ":\n  " ~ problems | join("\n  ")) }}
    {%- endif -%}
    {{ return("select 1 as vars_validated") }}
{% endmacro %}

{#- DuckDB names the database (catalog) after the warehouse file; a file named like a schema
    the project reads (`main.duckdb`, `staging.duckdb`, ...) makes `<schema>.<table>`
    ambiguous and the build fails with a catalog error deep inside. Refused up front. -#}
{% macro warehouse_file_name_problems() %}
    {%- set reserved = ['main', 'landing', 'staging', 'intermediate', 'marts', 'quality',
        'landing_files', 'information_schema', 'pg_catalog', 'system', 'temp', 'memory'] -%}
    {%- if target.type == 'duckdb' and (target.database | lower) in reserved -%}
        {{ return(["The DuckDB warehouse file " ~ target.path ~ " is named '" ~ target.database
            ~ "': DuckDB names the database after the file, and '" ~ target.database
            ~ "' is a schema name (" ~ reserved | join(', ') ~ "). Rename the file "
            ~ "(env FULLFUNNEL_DUCKDB_PATH), e.g. warehouse/fullfunnel.duckdb"]) }}
    {%- endif -%}
    {{ return([]) }}
{% endmacro %}
