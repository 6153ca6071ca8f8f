with

source as (

    select * from {{ source('raw_reference', 'projects') }}

),

renamed as (

    select
        {{ clean_string('project_code') }} as project_code,
        {{ clean_string('project_name') }} as project_name,
        {{ clean_string('region') }} as region,
        {{ clean_currency('country_code') }} as country_code,
        cast(launch_date as date) as launch_date,
        cast(target_roi as {{ type_money() }}) as target_roi,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['project_code']) }} as version_rank
    from renamed

),

final as (

    select
        project_code,
        project_name,
        region,
        country_code,
        launch_date,
        target_roi,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
