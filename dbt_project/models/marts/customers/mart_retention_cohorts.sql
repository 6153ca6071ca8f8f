-- Customer retention per project, cohort month and month offset (docs/metrics.md#retention):
-- the cohort is the month of a customer's first confirmed order; retained_customers at offset k
-- are the cohort's customers with at least one confirmed order in the month cohort_month + k
-- (offset 0 is the whole cohort). Every offset from 0 through the month holding the data's
-- end date has a row, with 0 retained where nobody ordered.

with

customer_months as (

    select * from {{ ref('fct_customer_monthly') }}

),

final as (

    select
        cast(project_code as {{ dbt.type_string() }}) as project_code,
        cast(cohort_month as date) as cohort_month,
        cast(month_offset as integer) as month_offset,
        cast(month_start as date) as activity_month,
        cast(count(*) as bigint) as cohort_customers,
        cast(sum(case when has_order then 1 else 0 end) as bigint) as retained_customers,
        cast(
            {{ safe_divide('sum(case when has_order then 1 else 0 end)', 'count(*)') }}
            as {{ type_money() }}
        ) as retention_rate
    from customer_months
    group by
        project_code,
        cohort_month,
        month_offset,
        month_start

)

select * from final
