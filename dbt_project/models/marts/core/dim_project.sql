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
        projects.project_code,
        projects.project_name,
        projects.region,
        projects.country_code,
        projects.launch_date,
        projects.target_roi,
        project_bounds.first_business_date,
        project_bounds.last_business_date
    from projects
    left join project_bounds
        on project_bounds.project_code = projects.project_code

)

select * from final
