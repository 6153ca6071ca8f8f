-- One row per overseas project of the projects table, with the dates that bound its
-- periods in mart_project_roi.

with

projects as (

    select * from {{ ref('stg_reference__projects') }}

),

date_ranges as (

    select * from {{ ref('int_business_date_ranges_unioned') }}

),

project_bounds as (

    select
        project_code,
        min(first_business_date) as first_business_date,
        max(last_business_date) as last_business_date
    from date_ranges
    group by project_code

),

final as (

    select
        cast(projects.project_code as {{ dbt.type_string() }}) as project_code,
        cast(projects.project_name as {{ dbt.type_string() }}) as project_name,
        cast(projects.region as {{ dbt.type_string() }}) as region,
        cast(projects.country_code as {{ dbt.type_string() }}) as country_code,
        cast(projects.launch_date as date) as launch_date,
        cast(projects.target_roi as {{ type_money() }}) as target_roi,
        cast(project_bounds.first_business_date as date) as first_business_date,
        cast(project_bounds.last_business_date as date) as last_business_date
    from projects
    left join project_bounds
        on project_bounds.project_code = projects.project_code

)

select * from final
