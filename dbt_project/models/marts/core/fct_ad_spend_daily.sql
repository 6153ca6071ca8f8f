-- One row per (spend_date, platform, ad_account_id, campaign_id): the daily ad spend that
-- counts, i.e. mapped to a known project and convertible (quarantined rows are left out).
-- A view over the incremental int_ad_spend_converted: a build writes no copy of every
-- ad-spend row (publishing writes the one BI tools read, marts.fct_ad_spend_daily).
-- Text columns are cast to varchar, the contract's type, not dbt.type_string(): a view's
-- columns keep the types of its casts (PostgreSQL's type_string is text), where a contracted
-- table is created with the contract's types.

{{ config(materialized='view') }}

with

ad_spend as (

    select * from {{ ref('int_ad_spend_converted') }}
    where not is_quarantined

),

final as (

    select
        cast(spend_date as date) as spend_date,
        cast(platform as {{ type_text() }}) as platform,
        cast(ad_account_id as {{ type_text() }}) as ad_account_id,
        cast(campaign_id as {{ type_text() }}) as campaign_id,
        cast(campaign_name as {{ type_text() }}) as campaign_name,
        cast(project_code as {{ type_text() }}) as project_code,
        cast(currency as {{ type_text() }}) as currency,
        cast(spend as {{ type_money() }}) as spend,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(fx_factor as {{ type_double() }}) as fx_factor,
        cast(fx_base_currency as {{ type_text() }}) as fx_base_currency,
        cast(fx_rate_date as date) as fx_rate_date,
        cast(reporting_currency as {{ type_text() }}) as reporting_currency,
        cast(spend_reporting as {{ type_money() }}) as spend_reporting
    from ad_spend

)

select * from final
