{#- Contact normalisation (LANDING.md, crm/leads): the same person written differently must
    compare equal. Used for lead de-duplication and the test-domain rule. -#}

{#- Trimmed, lower-case email (values are trimmed when they are read). -#}
{% macro normalize_email(expr) -%}
    lower({{ expr }})
{%- endmacro %}

{#- Phone with every non-digit removed; nothing left = NULL. -#}
{% macro normalize_phone(expr) -%}
    nullif({{ regexp_remove(expr, '[^0-9]') }}, '')
{%- endmacro %}

{#- The domain of a normalised email: what follows its last `@`. -#}
{% macro email_domain(expr) -%}
    case when {{ expr }} like '%@%' then reverse({{ dbt.split_part('reverse(' ~ expr ~ ')', "'@'", 1) }}) end
{%- endmacro %}
