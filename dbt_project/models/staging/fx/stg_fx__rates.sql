with

source as (

    select * from {{ source('raw_fx', 'rates') }}

),

renamed as (

    select
        cast({{ adapter.quote("date") }} as date) as rate_date,
        {{ clean_currency('base_currency') }} as base_currency,
        {{ clean_currency('quote_currency') }} as quote_currency,
        cast(rate as {{ type_money() }}) as rate,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['rate_date', 'base_currency', 'quote_currency']) }} as version_rank
    from renamed

),

final as (

    select
        rate_date,
        base_currency,
        quote_currency,
        rate,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
