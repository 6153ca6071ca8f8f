with

source as (

    select * from {{ source('raw_crm', 'opportunities') }}

),

renamed as (

    select
        {{ clean_string('opportunity_id') }} as opportunity_id,
        {{ clean_string('account_id') }} as account_id,
        {{ clean_string('lead_id') }} as lead_id,
        {{ clean_code('stage') }} as stage,
        cast(amount as {{ type_money() }}) as opportunity_amount,
        {{ clean_currency('currency') }} as currency,
        {{ clean_string('owner_id') }} as owner_id,
        cast(created_at as timestamp with time zone) as created_at,
        {{ to_utc_date('created_at') }} as created_date,
        cast(closed_at as timestamp with time zone) as closed_at,
        {{ to_utc_date('closed_at') }} as closed_date,
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
        {{ latest_version_rank(['opportunity_id'], 'updated_at') }} as version_rank
    from renamed

),

final as (

    select
        opportunity_id,
        account_id,
        lead_id,
        stage,
        opportunity_amount,
        currency,
        owner_id,
        created_at,
        created_date,
        closed_at,
        closed_date,
        updated_at,
        is_deleted,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
