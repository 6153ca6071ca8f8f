{#-
    The calendar spine of mart_project_roi: for each project and grain (ISO week starting
    Monday, month, quarter, half-year, year) every period from the one holding the project's earliest business
    date through the one holding the data's end date (the latest business date over the whole
    warehouse). A project without any business date has no rows.
    Days come from int_calendar_days. The singular test
    assert_period_spine_reaches_data_end_date fails if a range were ever longer than it holds.
-#}

with

date_ranges as (

    select * from {{ ref('int_business_date_ranges_unioned') }}

),

project_bounds as (

    select
        project_code,
        min(first_business_date) as first_business_date
    from date_ranges
    group by project_code

),

data_bounds as (

    select
        min(first_business_date) as first_business_date,
        max(last_business_date) as data_end_date
    from date_ranges

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

calendar_days_by_period as (

    {{ in_every_grain('calendar_days', {'period_start': 'calendar_date'}) }}

),

periods as (

    select distinct
        period_grain,
        period_start
    from calendar_days_by_period

),

project_data_bounds as (

    select
        project_bounds.project_code,
        project_bounds.first_business_date,
        data_bounds.data_end_date
    from project_bounds
    cross join data_bounds

),

project_period_bounds as (

    {{ in_every_grain('project_data_bounds', {
        'first_period_start': 'first_business_date',
        'last_period_start': 'data_end_date'
    }) }}

),

spined as (

    select
        project_period_bounds.project_code,
        periods.period_grain,
        periods.period_start,
        project_period_bounds.first_business_date,
        project_period_bounds.data_end_date
    from project_period_bounds
    inner join periods
        on periods.period_grain = project_period_bounds.period_grain
        and periods.period_start >= project_period_bounds.first_period_start
        and periods.period_start <= project_period_bounds.last_period_start

),

final as (

    select
        project_code,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        period_start,
        {{ period_end('period_grain', 'period_start') }} as period_end,
        first_business_date as project_first_business_date,
        data_end_date
    from spined

)

select * from final
