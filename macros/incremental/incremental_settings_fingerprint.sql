{#- What the rows of an incremental model downstream of the base_ tables were computed with,
    as an md5: the checksum of the model's SQL file, the landing settings fingerprint of the landing tables it reads (which changes
    when their contract or a var that decides their rows changes, and they rebuild in full),
    the checksum of the seeds it joins (e.g. channel_mapping) and the vars that decide its
    rows. The model lists them in its config:
    `meta={'incremental_inputs': {'landing_tables': [...], 'seeds': [...], 'vars': [...]}}`.
    Stored on every row (`landing_settings_fingerprint`); a table whose stored value differs
    is rebuilt in full (should_full_refresh). -#}
{% macro incremental_settings_fingerprint() %}
    {%- set inputs = (config.get('meta') or {}).get('incremental_inputs') or {} -%}
    {%- set parts = {
        'sql': model.checksum.checksum if execute else none,
        'landing_tables': {}, 'seeds': {}, 'vars': {},
    } -%}
    {%- for name in inputs.get('landing_tables', []) -%}
        {%- do parts.landing_tables.update({name: landing_settings_fingerprint(name)}) -%}
    {%- endfor -%}
    {%- for name in inputs.get('seeds', []) -%}
        {%- set seed = graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed')
            | selectattr('name', 'equalto', name) | first -%}
        {%- do parts.seeds.update({name: seed.checksum.checksum if execute else none}) -%}
    {%- endfor -%}
    {%- for name in inputs.get('vars', []) -%}
        {%- do parts.vars.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(local_md5(tojson(parts, sort_keys=true))) }}
{% endmacro %}

{#- The settings fingerprint an incremental table's rows must carry to be kept: a base_
    table's landing_settings_fingerprint, or a downstream model's
    incremental_settings_fingerprint. -#}
{% macro expected_settings_fingerprint() %}
    {%- if model.name.startswith('base_') -%}
        {{ return(landing_settings_fingerprint(model.name.split('__', 1)[1])) }}
    {%- endif -%}
    {{ return(incremental_settings_fingerprint()) }}
{% endmacro %}
