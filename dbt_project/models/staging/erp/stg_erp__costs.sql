with

source as (

    select * from {{ source('raw_erp', 'costs') }}

),

renamed as (

    select
        {{ clean_string('cost_id') }} as cost_id,
        {{ clean_string('project_code') }} as project_code,
        cast(cost_date as date) as cost_date,
        {{ clean_code('category') }} as category,
        cast(amount as {{ type_money() }}) as cost_amount,
        {{ clean_currency('currency') }} as currency,
        cast(posted_at as {{ type_timestamp() }}) as posted_at,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['cost_id'], 'posted_at') }} as version_rank
    from renamed

),

final as (

    select
        cost_id,
        project_code,
        cost_date,
        category,
        cost_amount,
        currency,
        posted_at,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
