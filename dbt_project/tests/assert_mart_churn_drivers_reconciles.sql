{{ config(meta={'dagster': {'asset_key': ['marts_candidate', 'mart_churn_drivers'], 'ref': {'name': 'mart_churn_drivers'}}}) }}
-- mart_churn_drivers describes the same customers as mart_churn_monthly: for every project and
-- month, the churned row's customers equal churned_customers, and churned + retained customers
-- equal active_customers_start (everyone active at the end of the previous month either churned
-- or was retained). Months without a row count 0. Fails with the months that disagree.

with

drivers as (

    select
        project_code,
        month,
        sum(case when customer_group = 'churned' then customers else 0 end) as churned_customers,
        sum(case when customer_group = 'retained' then customers else 0 end) as retained_customers
    from {{ ref('mart_churn_drivers') }}
    group by project_code, month

),

churn_monthly as (

    select * from {{ ref('mart_churn_monthly') }}
    where active_customers_start > 0

),

compared as (

    select
        coalesce(drivers.project_code, churn_monthly.project_code) as project_code,
        coalesce(drivers.month, churn_monthly.month_start) as month_start,
        coalesce(drivers.churned_customers, 0) as drivers_churned,
        coalesce(churn_monthly.churned_customers, 0) as monthly_churned,
        coalesce(drivers.churned_customers, 0) + coalesce(drivers.retained_customers, 0) as drivers_active_start,
        coalesce(churn_monthly.active_customers_start, 0) as monthly_active_start
    from drivers
    full outer join churn_monthly
        on churn_monthly.project_code = drivers.project_code
        and churn_monthly.month_start = drivers.month

)

select *
from compared
where drivers_churned <> monthly_churned
    or drivers_active_start <> monthly_active_start
