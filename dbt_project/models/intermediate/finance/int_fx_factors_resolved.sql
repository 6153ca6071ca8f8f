{#-
    One conversion factor per (currency, business_date) pair, into the reporting currency R
    (var `reporting_currency`), exactly as docs/metrics.md#currency-conversion defines it:

        factor = rate(base -> R, d') / rate(base -> C, d')

    Amounts are converted from the two rates, exactly (multiply_divide: amount * fx_numerator_rate
    / fx_denominator_rate, rounded once to 9 decimals); fx_factor, their quotient as a DOUBLE,
    is kept for reading.

    d' is the latest rate date <= d and >= d - 7 days on which ONE base currency quotes both
    C and R (a base's own rate is 1). Ties between bases on the same d' are broken by
    preferring a base that is C or R itself (a direct quote, no cross rate), then the base
    code in alphabetical order. C = R needs no rate: factor 1.
    No qualifying d' -> fx_factor is NULL and the rows using the pair are quarantined
    (int_quarantine, reason missing_fx_rate); they are never converted at 1.
    Built with a range join (rate_date between d - 7 and d) so it runs on DuckDB and
    PostgreSQL alike, no ASOF join.
-#}

{%- set reporting_currency_sql = reporting_currency_literal() -%}

with

pairs as (

    select
        currency,
        business_date
    from {{ ref('int_fx_pairs_unioned') }}

),

published_rates as (

    select
        rate_date,
        base_currency,
        quote_currency,
        rate
    from {{ ref('stg_fx__rates') }}
    -- a rate of a currency against itself is implied (below); a non-positive rate is unusable
    where base_currency <> quote_currency
        and rate > 0

),

base_own_rates as (

    -- on every day a base publishes rates, its own rate is 1
    select distinct
        rate_date,
        base_currency,
        base_currency as quote_currency,
        cast(1 as {{ type_money() }}) as rate
    from published_rates

),

rates as (

    select * from published_rates
    union all
    select * from base_own_rates

),

reporting_rates as (

    select
        rate_date,
        base_currency,
        rate as reporting_rate
    from rates
    where quote_currency = {{ reporting_currency_sql }}

),

candidates as (

    select
        pairs.currency,
        pairs.business_date,
        source_rates.rate_date,
        source_rates.base_currency,
        source_rates.rate as source_rate,
        reporting_rates.reporting_rate
    from pairs
    inner join rates as source_rates
        on source_rates.quote_currency = pairs.currency
        and source_rates.rate_date <= pairs.business_date
        and source_rates.rate_date >= {{ add_days('pairs.business_date', -7) }}
    inner join reporting_rates
        on reporting_rates.base_currency = source_rates.base_currency
        and reporting_rates.rate_date = source_rates.rate_date
    where pairs.currency <> {{ reporting_currency_sql }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by currency, business_date
            order by
                rate_date desc,
                case when base_currency in (currency, {{ reporting_currency_sql }}) then 0 else 1 end,
                base_currency
        ) as candidate_rank
    from candidates

),

final as (

    select
        pairs.currency,
        pairs.business_date,
        {{ reporting_currency_column() }},
        {{ add_days('pairs.business_date', -7) }} as window_start_date,
        case
            when pairs.currency = {{ reporting_currency_sql }} then 'same_currency'
            when ranked.rate_date is not null then 'rate_found'
            else 'missing_rate'
        end as resolution,
        ranked.base_currency as fx_base_currency,
        ranked.rate_date as fx_rate_date,
        ranked.source_rate as fx_base_to_currency_rate,
        ranked.reporting_rate as fx_base_to_reporting_rate,
        case
            when pairs.currency = {{ reporting_currency_sql }} then cast(1 as {{ type_money() }})
            else ranked.reporting_rate
        end as fx_numerator_rate,
        case
            when pairs.currency = {{ reporting_currency_sql }} then cast(1 as {{ type_money() }})
            else ranked.source_rate
        end as fx_denominator_rate,
        cast(
            case
                when pairs.currency = {{ reporting_currency_sql }} then 1
                else {{ ratio_as_double('ranked.reporting_rate', 'ranked.source_rate') }}
            end
            as {{ type_double() }}
        ) as fx_factor
    from pairs
    left join ranked
        on ranked.currency = pairs.currency
        and ranked.business_date = pairs.business_date
        and ranked.candidate_rank = 1

)

select * from final
