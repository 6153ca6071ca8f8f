-- One row per customer: an account that counts with at least one confirmed order that counts
-- (docs/metrics.md#customers). Its cohort is the month of its first confirmed order; its
-- acquisition channel is that of its earliest-created lead that counts, else 'direct'.

with

accounts as (

    select * from {{ ref('dim_account') }}
    where is_customer

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(country_code as {{ dbt.type_string() }}) as country_code,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(acquisition_channel as {{ dbt.type_string() }}) as acquisition_channel,
        cast(acquisition_lead_id as {{ dbt.type_string() }}) as acquisition_lead_id,
        cast(first_order_date as date) as first_order_date,
        cast({{ month_start('first_order_date') }} as date) as cohort_month,
        cast(last_order_date as date) as last_order_date,
        cast(confirmed_orders as bigint) as orders
    from accounts

)

select * from final
