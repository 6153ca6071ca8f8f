with

source as (

    select * from {{ source('raw_crm', 'orders') }}

),

renamed as (

    select
        {{ clean_string('order_id') }} as order_id,
        {{ clean_string('account_id') }} as account_id,
        {{ clean_string('opportunity_id') }} as opportunity_id,
        cast(order_date as date) as order_date,
        {{ clean_code('status') }} as order_status,
        cast(amount as {{ type_money() }}) as order_amount,
        cast(cost_of_goods as {{ type_money() }}) as cost_of_goods,
        {{ clean_currency('currency') }} as currency,
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
        {{ latest_version_rank(['order_id'], 'updated_at') }} as version_rank
    from renamed

),

final as (

    select
        order_id,
        account_id,
        opportunity_id,
        order_date,
        order_status,
        order_amount,
        cost_of_goods,
        currency,
        updated_at,
        is_deleted,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
