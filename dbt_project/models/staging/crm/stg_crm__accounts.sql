{{ crm_current_versions(
    source('raw_crm', 'accounts'),
    key_column='account_id',
    columns={
        'account_id': clean_string('account_id'),
        'project_code': clean_string('project_code'),
        'country_code': clean_currency('country_code'),
        'industry': clean_string('industry'),
        'created_at': 'cast(created_at as ' ~ type_timestamp() ~ ')',
        'created_date': to_utc_date('created_at')
    }
) }}
