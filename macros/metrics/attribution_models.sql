{#- The attribution models of METRICS.md ("Credit", "Data-driven attribution"); var
    attribution_model picks the one the marts use. -#}
{% macro attribution_models() %}
    {{ return([
        'first_touch', 'last_touch', 'linear', 'position_based', 'time_decay', 'last_non_direct', 'markov'
    ]) }}
{% endmacro %}

{#- The model the marts use (var attribution_model), validated (validate_vars() reports it
    with every other invalid setting when the run starts). -#}
{% macro selected_attribution_model() %}
    {%- set model = var('attribution_model') -%}
    {%- if execute and model not in attribution_models() -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_model is '" ~ model ~ "'; it must be one of " ~ attribution_models() | join(', ')) }}
    {%- endif -%}
    {{ return(model) }}
{% endmacro %}

{#- The lead whose credits a deal or customer inherits (METRICS.md): its lead when valid, the
    lead it duplicates when it is a duplicate, else none (`leads` is a stg_crm__leads alias). -#}
{% macro attributed_lead_id(leads) -%}
    case
        when {{ leads }}.is_valid then {{ leads }}.lead_id
        when {{ leads }}.invalid_reason = 'duplicate' then {{ leads }}.duplicate_of_lead_id
    end
{%- endmacro %}
