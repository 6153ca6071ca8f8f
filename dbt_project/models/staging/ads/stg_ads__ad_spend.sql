with

source as (

    select * from {{ source('raw_ads', 'ad_spend') }}

),

renamed as (

    select
        cast({{ adapter.quote("date") }} as date) as spend_date,
        {{ clean_code('platform') }} as platform,
        -- the ad platform's account, not a CRM account: renamed to keep the two apart
        {{ clean_string('account_id') }} as ad_account_id,
        {{ clean_string('campaign_id') }} as campaign_id,
        {{ clean_string('campaign_name') }} as campaign_name,
        -- empty project_code = unmapped campaign (quarantined downstream)
        {{ clean_string('project_code') }} as project_code,
        {{ clean_currency('currency') }} as currency,
        cast(spend as {{ type_money() }}) as spend,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        _source_file,
        _source_line,
        _dlt_load_id
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank(['spend_date', 'platform', 'ad_account_id', 'campaign_id']) }} as version_rank
    from renamed

),

final as (

    select
        spend_date,
        platform,
        ad_account_id,
        campaign_id,
        campaign_name,
        project_code,
        currency,
        spend,
        impressions,
        clicks,
        _source_file,
        _source_line,
        _dlt_load_id
    from deduplicated
    where version_rank = 1

)

select * from final
