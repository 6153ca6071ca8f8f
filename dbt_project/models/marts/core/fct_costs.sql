-- One row per ERP cost line that counts: latest posting, of a known project, convertible
-- (quarantined rows are left out).
-- A view over the incremental int_erp_costs_converted: a build writes no copy of every cost
-- line (publishing writes the one BI tools read, marts.fct_costs).
-- Text columns are cast to varchar, the contract's type, not dbt.type_string(): a view's
-- columns keep the types of its casts (PostgreSQL's type_string is text), where a contracted
-- table is created with the contract's types.

{{ config(materialized='view') }}

with

costs as (

    select * from {{ ref('int_erp_costs_converted') }}
    where not is_quarantined
        and is_project_known

),

final as (

    select
        cast(cost_id as {{ type_text() }}) as cost_id,
        cast(project_code as {{ type_text() }}) as project_code,
        cast(cost_date as date) as cost_date,
        cast(category as {{ type_text() }}) as category,
        is_acquisition_cost,
        cast(currency as {{ type_text() }}) as currency,
        cast(cost_amount as {{ type_money() }}) as cost_amount,
        cast(fx_factor as {{ type_double() }}) as fx_factor,
        cast(fx_base_currency as {{ type_text() }}) as fx_base_currency,
        cast(fx_rate_date as date) as fx_rate_date,
        cast(reporting_currency as {{ type_text() }}) as reporting_currency,
        cast(amount_reporting as {{ type_money() }}) as amount_reporting
    from costs

)

select * from final
