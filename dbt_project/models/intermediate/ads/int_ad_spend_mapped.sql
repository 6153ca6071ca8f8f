-- Every ad-spend row with the project its spend belongs to. In order of precedence:
--   1. the project_code the row arrived with (file drops carry one);
--   2. the maintained mapping seed campaign_project_map, by (platform, campaign_id);
--   3. a [PROJECT_CODE] tag in the campaign name, when it names a known project.
-- A row none of these maps keeps project_code NULL and is quarantined downstream
-- (reason unmapped_campaign): unmapped spend is reported, never dropped.
-- A view: int_ad_spend_converted, its one reader, builds incrementally and reads only the
-- rows it takes in, so no copy of every ad-spend row is written on each build.

{{ config(materialized='view') }}

with

ad_spend as (

    select * from {{ ref('stg_ads__ad_spend') }}

),

campaign_map as (

    select * from {{ ref('campaign_project_map') }}

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

mapped as (

    select
        ad_spend.spend_date,
        ad_spend.platform,
        ad_spend.ad_account_id,
        ad_spend.campaign_id,
        ad_spend.campaign_name,
        coalesce(
            ad_spend.project_code,
            campaign_map.project_code,
            tagged_project.project_code
        ) as project_code,
        case
            when ad_spend.project_code is not null then 'source'
            when campaign_map.project_code is not null then 'campaign_map'
            when tagged_project.project_code is not null then 'name_tag'
        end as project_mapping,
        ad_spend.currency,
        ad_spend.spend,
        ad_spend.impressions,
        ad_spend.clicks,
        ad_spend._source_file,
        ad_spend._source_line,
        ad_spend._dlt_load_id
    from ad_spend
    left join campaign_map
        on campaign_map.platform = ad_spend.platform
        and campaign_map.campaign_id = ad_spend.campaign_id
    left join projects as tagged_project
        on tagged_project.project_code = {{ campaign_project_tag('ad_spend.campaign_name') }}

),

final as (

    select * from mapped

)

select * from final
