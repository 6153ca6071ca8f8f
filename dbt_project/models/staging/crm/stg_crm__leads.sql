{{ crm_current_versions(
    source('raw_crm', 'leads'),
    key_column='lead_id',
    columns={
        'lead_id': clean_string('lead_id'),
        'project_code': clean_string('project_code'),
        'channel': clean_code('channel'),
        'campaign_id': clean_string('campaign_id'),
        'country_code': clean_currency('country_code'),
        'lead_status': clean_string('status'),
        'converted_account_id': clean_string('converted_account_id'),
        'created_at': 'cast(created_at as ' ~ type_timestamp() ~ ')',
        'created_date': to_utc_date('created_at')
    }
) }}
