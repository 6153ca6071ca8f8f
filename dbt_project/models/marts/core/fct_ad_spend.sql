-- One row per (spend_date, platform, ad_account_id, campaign_id) of ad spend that counts:
-- mapped to a known project and convertible (quarantined rows are left out).

with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}
    where not is_quarantined

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
        fx_factor,
        fx_base_currency,
        fx_rate_date,
        reporting_currency,
        spend_reporting
    from ad_spend

)

select * from final
