with

source as (

    select * from {{ source('raw_crm', 'accounts') }}

),

renamed as (

    select
        {{ clean_string('account_id') }} as account_id,
        {{ clean_string('project_code') }} as project_code,
        {{ clean_currency('country_code') }} as country_code,
        {{ clean_string('industry') }} as industry,
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
        {{ latest_version_rank(['account_id'], 'updated_at') }} as version_rank
    from renamed

),

final as (

    select
        account_id,
        project_code,
        country_code,
        industry,
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
