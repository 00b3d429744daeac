{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='landing_partition',
        on_schema_change='fail',
    )
}}

{{ landing_checked_rows('ads', 'meta_ads__ads_insights') }}
