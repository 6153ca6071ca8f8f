{#-
    The calendar: one row per day from the earliest business date of any project through the
    data's end date (the latest business date over the whole warehouse), with the ISO week
    (Monday start; the ISO year of a week can differ from the calendar year around New Year),
    month and quarter each day belongs to. No rows while the warehouse holds no business date.
    Days come from a 0..99,999 number table (cross join of digits; no generate_series, so the
    SQL runs on DuckDB and PostgreSQL alike): 273 years, far beyond any data range.
-#}

with

date_ranges as (

    select * from {{ ref('int_business_date_ranges_unioned') }}

),

data_bounds as (

    select
        min(first_business_date) as first_business_date,
        max(last_business_date) as data_end_date
    from date_ranges

),

digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9

),

day_offsets as (

    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

),

calendar_days as (

    select
        {{ add_days('data_bounds.first_business_date', 'day_offsets.day_offset') }} as date_day,
        data_bounds.data_end_date
    from data_bounds
    cross join day_offsets
    where day_offsets.day_offset
        <= {{ dbt.datediff('data_bounds.first_business_date', 'data_bounds.data_end_date', 'day') }}

),

final as (

    select
        cast(date_day as date) as date_day,
        {{ date_part_integer('isodow', 'date_day') }} as iso_day_of_week,
        {{ date_part_integer('isodow', 'date_day') }} >= 6 as is_weekend,
        {{ date_part_integer('isoyear', 'date_day') }} as iso_year,
        {{ date_part_integer('week', 'date_day') }} as iso_week,
        cast({{ period_start('week', 'date_day') }} as date) as week_start,
        cast({{ add_days(period_start('week', 'date_day'), 6) }} as date) as week_end,
        {{ date_part_integer('year', 'date_day') }} as calendar_year,
        {{ date_part_integer('month', 'date_day') }} as month_of_year,
        cast({{ period_start('month', 'date_day') }} as date) as month_start,
        cast({{ add_days(dbt.dateadd('month', 1, period_start('month', 'date_day')), -1) }} as date) as month_end,
        {{ date_part_integer('quarter', 'date_day') }} as quarter_of_year,
        cast({{ period_start('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ add_days(dbt.dateadd('month', 3, period_start('quarter', 'date_day')), -1) }} as date) as quarter_end,
        date_day = data_end_date as is_data_end_date
    from calendar_days

)

select * from final
