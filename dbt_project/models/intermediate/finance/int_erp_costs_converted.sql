-- Every ERP cost line (latest posting per cost_id) with its amount in the reporting currency.
--   is_fx_missing: no usable rate in the 7-day window (quarantined, amount_reporting NULL)
--   is_project_known: project_code is in the projects table; costs of an unknown project
--     cannot be placed in any mart row and are left out of the marts (not quarantined: the
--     quarantine reasons are fixed by the contract); a warn-level relationships test on
--     stg_erp__costs.project_code reports them.
-- Incremental (macros/incremental.sql; a whole table on Spark, whose Parquet tables have no
-- row delete for delete+insert): a build takes in the cost lines whose latest posting
-- was loaded since the last one (a stale posting sent again does not win, so it changes
-- nothing), the lines whose FX window a newly loaded rate falls in, and the lines of a
-- project not known yet (a project loaded since may be theirs).
-- depends_on: {{ ref('stg_fx__rates') }}

{{
    config(
        materialized='table' if target.type == 'spark' else 'incremental',
        incremental_strategy='delete+insert',
        unique_key='record_key',
        on_schema_change='fail',
        post_hook=[] if target.type == 'spark' else
            ["{{ record_loads_taken_in(['raw_erp.costs', 'raw_fx.rates']) }}"],
    )
}}

with

latest as (

    select * from {{ ref('stg_erp__costs') }}

),

costs as (

    select * from latest
    {% if is_incremental() %}
    where
        latest._dlt_load_id > {{ last_load_taken_in('raw_erp.costs') }}
        or {{ fx_rates_loaded_since_last_build('latest.cost_date') }}
        or latest.cost_id in (select cost_id from {{ this }} where not is_project_known)
    {% endif %}

),

projects as (

    select project_code from {{ ref('stg_reference__projects') }}

),

fx_factors as (

    select * from {{ ref('int_fx_factors_resolved') }}

),

final as (

    select
        'cost_id=' || costs.cost_id as record_key,
        costs.cost_id,
        costs.project_code,
        costs.cost_date,
        costs.category,
        costs.category in ('marketing', 'sales') as is_acquisition_cost,
        costs.currency,
        costs.cost_amount,
        costs.posted_at,
        fx_factors.fx_factor,
        fx_factors.fx_base_currency,
        fx_factors.fx_rate_date,
        fx_factors.window_start_date as fx_window_start_date,
        {{ reporting_currency_column() }},
        {{ multiply_divide('costs.cost_amount', 'fx_factors.fx_numerator_rate', 'fx_factors.fx_denominator_rate') }}
            as amount_reporting,
        projects.project_code is not null as is_project_known,
        fx_factors.fx_factor is null as is_fx_missing,
        fx_factors.fx_factor is null as is_quarantined,
        costs._source_file,
        costs._source_line,
        costs._dlt_load_id
    from costs
    left join projects
        on projects.project_code = costs.project_code
    left join fx_factors
        on fx_factors.currency = costs.currency
        and fx_factors.business_date = costs.cost_date

)

select * from final
