-- Every ad-spend row (one per date, platform, ad account, campaign) with its spend in the
-- reporting currency and the flags that send it to int_quarantine:
--   is_campaign_unmapped: empty project_code, or a project_code not in the projects table
--   is_fx_missing: no usable rate in the 7-day window (spend_reporting is then NULL)
-- Incremental (macros/incremental.sql; a whole table on Spark, whose Parquet tables have no
-- row delete for delete+insert): a build takes in the rows loaded since the last one,
-- the rows whose FX window a newly loaded rate falls in, and the rows still unmapped (a
-- project loaded since may map them); every other row keeps what it was built with.
-- depends_on: {{ ref('stg_fx__rates') }}

{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key='record_key',
        on_schema_change='fail',
        post_hook=[] if target.type == 'spark' else
            ["{{ record_loads_taken_in(['raw_ads.ad_spend', 'raw_fx.rates']) }}"],
    )
}}

with

mapped as (

    select
        'date=' || cast(spend_date as {{ dbt.type_string() }})
        || '|platform=' || coalesce(platform, '')
        || '|account_id=' || coalesce(ad_account_id, '')
        || '|campaign_id=' || coalesce(campaign_id, '') as record_key,
        *
    from {{ ref('int_ad_spend_mapped') }}

),

ad_spend as (

    select * from mapped
    {% if is_incremental() %}
    where
        mapped._dlt_load_id > {{ last_load_taken_in('raw_ads.ad_spend') }}
        or {{ fx_rates_loaded_since_last_build('mapped.spend_date') }}
        or mapped.record_key in (select record_key from {{ this }} where is_campaign_unmapped)
    {% endif %}

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

fx_factors as (

    select * from {{ ref('int_fx_factors_resolved') }}

),

joined as (

    select
        ad_spend.record_key,
        ad_spend.spend_date,
        ad_spend.platform,
        ad_spend.ad_account_id,
        ad_spend.campaign_id,
        ad_spend.campaign_name,
        ad_spend.project_code,
        ad_spend.project_mapping,
        ad_spend.currency,
        ad_spend.spend,
        ad_spend.impressions,
        ad_spend.clicks,
        fx_factors.fx_factor,
        fx_factors.fx_numerator_rate,
        fx_factors.fx_denominator_rate,
        fx_factors.fx_base_currency,
        fx_factors.fx_rate_date,
        fx_factors.window_start_date as fx_window_start_date,
        projects.project_code is null as is_campaign_unmapped,
        fx_factors.fx_factor is null as is_fx_missing,
        ad_spend._source_file,
        ad_spend._source_line,
        ad_spend._dlt_load_id
    from ad_spend
    left join projects
        on projects.project_code = ad_spend.project_code
    left join fx_factors
        on fx_factors.currency = ad_spend.currency
        and fx_factors.business_date = ad_spend.spend_date

),

final as (

    select
        record_key,
        spend_date,
        platform,
        ad_account_id,
        campaign_id,
        campaign_name,
        project_code,
        project_mapping,
        currency,
        spend,
        impressions,
        clicks,
        fx_factor,
        fx_base_currency,
        fx_rate_date,
        fx_window_start_date,
        {{ reporting_currency_column() }},
        {{ multiply_divide('spend', 'fx_numerator_rate', 'fx_denominator_rate') }} as spend_reporting,
        is_campaign_unmapped,
        is_fx_missing,
        (is_campaign_unmapped or is_fx_missing) as is_quarantined,
        _source_file,
        _source_line,
        _dlt_load_id
    from joined

)

select * from final
