-- Every project with business dates has, for each grain, exactly one period holding the
-- data's end date as its last period, and no period holding a later date: the spine was
-- neither cut short (e.g. a range longer than its 100,000-day number table) nor overlong.

with

spine as (

    select * from {{ ref('int_project_periods_spined') }}

),

last_periods as (

    select
        project_code,
        period_grain,
        max(period_start) as last_period_start,
        max(period_end) as last_period_end,
        max(data_end_date) as data_end_date
    from spine
    group by project_code, period_grain

)

select *
from last_periods
where
    not (
        last_period_start <= data_end_date
        and last_period_end >= data_end_date
    )
