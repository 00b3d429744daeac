{{ landing_checked_rows('crm', 'deal_stage_history') }}
