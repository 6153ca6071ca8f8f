{#-
    Every calendar day from the earliest business date through the data's end date (the
    latest business date over the whole warehouse), shared by the period spine of the marts
    and dim_date. Days come from a 0..99,999 number table (cross join of digits; plain SQL,
    no generate_series, so it runs on both engines): enough for 273 years of data.
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

    select digit_values.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (digit)

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
        {{ add_days('data_bounds.first_business_date', 'day_offsets.day_offset') }} as calendar_date,
        data_bounds.data_end_date
    from data_bounds
    cross join day_offsets
    where day_offsets.day_offset
        <= {{ dbt.datediff('data_bounds.first_business_date', 'data_bounds.data_end_date', 'day') }}

),

final as (

    select
        cast(calendar_date as date) as calendar_date,
        data_end_date
    from calendar_days

)

select * from final
