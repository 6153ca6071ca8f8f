{#-
    One row per currency seen anywhere: in the FX rates (as base or quote), in an amount of a
    fact (ad spend, ERP costs, orders that can count, opportunity amounts), or as the
    reporting currency, with whether its amounts convert into the reporting currency
    (docs/metrics.md#currency-conversion: one base must quote both currencies on a day at most 7
    days before the amount's date; a base's own rate is 1).
-#}

{%- set reporting_currency_sql = reporting_currency_literal() -%}

with

published_rates as (

    select
        rate_date,
        base_currency,
        quote_currency
    from {{ ref('stg_fx__rates') }}
    where base_currency <> quote_currency
        and rate > 0

),

quotes as (

    -- every (day, base, currency) with a usable rate, the base's own rate of 1 included
    select
        rate_date,
        base_currency,
        quote_currency as currency
    from published_rates
    union
    select
        rate_date,
        base_currency,
        base_currency as currency
    from published_rates

),

reporting_quotes as (

    select
        rate_date,
        base_currency
    from quotes
    where currency = {{ reporting_currency_sql }}

),

convertible_currencies as (

    -- a currency that at least one base quotes on the same day as the reporting currency
    select distinct quotes.currency
    from quotes
    inner join reporting_quotes
        on reporting_quotes.rate_date = quotes.rate_date
        and reporting_quotes.base_currency = quotes.base_currency

),

rate_summary as (

    select
        currency,
        min(rate_date) as first_rate_date,
        max(rate_date) as last_rate_date
    from quotes
    group by currency

),

base_currencies as (

    select distinct base_currency as currency from published_rates

),

amount_dates as (

    select
        currency,
        count(*) as amount_dates,
        sum(case when resolution = 'missing_rate' then 1 else 0 end) as amount_dates_without_rate
    from {{ ref('int_fx_factors_resolved') }}
    group by currency

),

currencies as (

    select currency from quotes
    union
    select currency from amount_dates
    union
    select {{ reporting_currency_sql }} as currency

),

final as (

    select
        cast(currencies.currency as {{ dbt.type_string() }}) as currency_code,
        currencies.currency = {{ reporting_currency_sql }} as is_reporting_currency,
        base_currencies.currency is not null as is_fx_base_currency,
        cast(rate_summary.first_rate_date as date) as first_rate_date,
        cast(rate_summary.last_rate_date as date) as last_rate_date,
        cast(coalesce(amount_dates.amount_dates, 0) as bigint) as amount_dates,
        cast(coalesce(amount_dates.amount_dates_without_rate, 0) as bigint) as amount_dates_without_rate,
        (
            currencies.currency = {{ reporting_currency_sql }}
            or convertible_currencies.currency is not null
        ) as is_convertible,
        (
            currencies.currency = {{ reporting_currency_sql }}
            or (
                convertible_currencies.currency is not null
                and coalesce(amount_dates.amount_dates_without_rate, 0) = 0
            )
        ) as converts_to_reporting_currency
    from currencies
    left join rate_summary
        on rate_summary.currency = currencies.currency
    left join base_currencies
        on base_currencies.currency = currencies.currency
    left join amount_dates
        on amount_dates.currency = currencies.currency
    left join convertible_currencies
        on convertible_currencies.currency = currencies.currency

)

select * from final
