with

source as (

    select * from {{ source('raw_crm', 'activities') }}

),

renamed as (

    select
        {{ clean_string('activity_id') }} as activity_id,
        {{ clean_string('lead_id') }} as lead_id,
        {{ clean_string('opportunity_id') }} as opportunity_id,
        {{ clean_code('activity_type') }} as activity_type,
        cast(occurred_at as {{ type_timestamp() }}) as occurred_at,
        {{ to_utc_date('occurred_at') }} as occurred_date,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['activity_id']) }} as version_rank
    from renamed

),

final as (

    select
        activity_id,
        lead_id,
        opportunity_id,
        activity_type,
        occurred_at,
        occurred_date,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
