-- One row per ERP cost line that counts: latest posting, of a known project, convertible
-- (quarantined rows are left out).

with

costs as (

    select * from {{ ref('int_erp_costs_converted') }}
    where not is_quarantined
        and is_project_known

),

final as (

    select
        cost_id,
        project_code,
        cost_date,
        category,
        is_acquisition_cost,
        currency,
        cost_amount,
        fx_factor,
        fx_base_currency,
        fx_rate_date,
        reporting_currency,
        amount_reporting
    from costs

)

select * from final
