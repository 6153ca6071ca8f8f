with

source as (

    select * from {{ source('raw_crm', 'leads') }}

),

renamed as (

    select
        {{ clean_string('lead_id') }} as lead_id,
        {{ clean_string('project_code') }} as project_code,
        {{ clean_code('channel') }} as channel,
        {{ clean_string('campaign_id') }} as campaign_id,
        {{ clean_currency('country_code') }} as country_code,
        {{ clean_string('status') }} as lead_status,
        {{ clean_string('converted_account_id') }} as converted_account_id,
        cast(created_at as timestamp with time zone) as created_at,
        {{ to_utc_date('created_at') }} as created_date,
        cast(updated_at as timestamp with time zone) as updated_at,
        coalesce(cast(is_deleted as boolean), false) as is_deleted,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['lead_id'], 'updated_at') }} as version_rank
    from renamed

),

final as (

    select
        lead_id,
        project_code,
        channel,
        campaign_id,
        country_code,
        lead_status,
        converted_account_id,
        created_at,
        created_date,
        updated_at,
        is_deleted,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
