{#-
    The calendar: one row per day from the earliest business date of any project through the
    data's end date (the latest business date over the whole warehouse), with the ISO week
    (Monday start; the ISO year of a week can differ from the calendar year around New Year),
    month and quarter each day belongs to. No rows while the warehouse holds no business date.
    Days come from int_calendar_days, the calendar the period spine of the marts also uses.
-#}

with

calendar_days as (

    select
        calendar_date as date_day,
        data_end_date
    from {{ ref('int_calendar_days') }}

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
