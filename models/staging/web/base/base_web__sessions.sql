{{ landing_incremental_config() }}

{{ landing_checked_rows('web', 'sessions') }}
