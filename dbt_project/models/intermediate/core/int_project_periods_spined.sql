{#-
    The calendar spine of mart_project_roi: for each project and grain (ISO week starting
    Monday, month, quarter) every period from the one holding the project's earliest business
    date through the one holding the data's end date (the latest business date over the whole
    warehouse). A project without any business date has no rows.
    Days come from int_calendar_days. The singular test
    assert_period_spine_reaches_data_end_date fails if a range were ever longer than it holds.
-#}

{%- set grains = ['week', 'month', 'quarter'] -%}

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

periods as (

    {% for grain in grains -%}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'calendar_date') }} as period_start
    from calendar_days
    {% if not loop.last %}
    union all

    {% endif -%}
    {%- endfor %}

),

spined as (

    {% for grain in grains -%}
    select
        project_bounds.project_code,
        periods.period_grain,
        periods.period_start,
        project_bounds.first_business_date,
        data_bounds.data_end_date
    from project_bounds
    cross join data_bounds
    inner join periods
        on periods.period_grain = '{{ grain }}'
        and periods.period_start >= {{ period_start(grain, 'project_bounds.first_business_date') }}
        and periods.period_start <= {{ period_start(grain, 'data_bounds.data_end_date') }}
    {% if not loop.last %}
    union all

    {% endif -%}
    {%- endfor %}

),

final as (

    select
        project_code,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        period_start,
        case period_grain
            when 'week' then {{ add_days('period_start', 6) }}
            when 'month' then {{ add_days(dbt.dateadd('month', 1, 'period_start'), -1) }}
            when 'quarter' then {{ add_days(dbt.dateadd('month', 3, 'period_start'), -1) }}
        end as period_end,
        first_business_date as project_first_business_date,
        data_end_date
    from spined

)

select * from final
