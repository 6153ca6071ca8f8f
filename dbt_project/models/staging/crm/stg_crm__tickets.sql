with

source as (

    select * from {{ source('raw_crm', 'tickets') }}

),

renamed as (

    select
        {{ clean_string('ticket_id') }} as ticket_id,
        {{ clean_string('account_id') }} as account_id,
        cast(opened_at as {{ type_timestamp() }}) as opened_at,
        {{ to_utc_date('opened_at') }} as opened_date,
        cast(resolved_at as {{ type_timestamp() }}) as resolved_at,
        {{ to_utc_date('resolved_at') }} as resolved_date,
        cast(satisfaction as bigint) as satisfaction,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['ticket_id']) }} as version_rank
    from renamed

),

final as (

    select
        ticket_id,
        account_id,
        opened_at,
        opened_date,
        resolved_at,
        resolved_date,
        satisfaction,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
