{#
    Date helpers that compile to the same meaning on DuckDB and PostgreSQL.
#}

{#
    to_utc_date: the UTC calendar date of a TIMESTAMP WITH TIME ZONE.
    A plain cast(ts as date) uses the session time zone on both engines (DuckDB's
    default is the machine's local zone), so the timestamp is first turned into a
    UTC wall-clock TIMESTAMP with `at time zone 'UTC'`, then cast to DATE.
#}
{% macro to_utc_date(column) -%}
    {{ return(adapter.dispatch('to_utc_date', 'roi_warehouse')(column)) }}
{%- endmacro %}

{% macro default__to_utc_date(column) -%}
    cast(({{ column }} at time zone 'UTC') as date)
{%- endmacro %}

{#
    epoch_seconds: seconds since 1970-01-01 UTC of a TIMESTAMP WITH TIME ZONE, fractional.
    Both engines implement extract(epoch from timestamptz); the result is cast to a
    double so the type is the same on both.
#}
{% macro epoch_seconds(column) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'roi_warehouse')(column)) }}
{%- endmacro %}

{% macro default__epoch_seconds(column) -%}
    cast(extract(epoch from {{ column }}) as {{ type_double() }})
{%- endmacro %}

{#
    seconds_between: exact seconds (to the microsecond) from one TIMESTAMP WITH TIME ZONE to
    another, as type_money(); no DOUBLE on the way, so sums and ratios of it are the same on
    every engine. PostgreSQL (14 and later) gives extract(epoch) as NUMERIC; DuckDB counts
    microseconds in a BIGINT.
#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'roi_warehouse')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    cast(extract(epoch from {{ end_timestamp }}) - extract(epoch from {{ start_timestamp }}) as {{ type_money() }})
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    cast(
        cast(epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }}) as {{ type_money() }})
        * cast(0.000001 as decimal(7, 6))
        as {{ type_money() }}
    )
{%- endmacro %}

{#
    add_days: a DATE plus a whole number of days, returned as a DATE
    (dbt.dateadd returns a TIMESTAMP on both engines).
#}
{% macro add_days(date_column, days) -%}
    cast({{ dbt.dateadd('day', days, date_column) }} as date)
{%- endmacro %}

{# month_start: the first day of the month holding a DATE (a DATE). #}
{% macro month_start(date_column) -%}
    {{ period_start('month', date_column) }}
{%- endmacro %}

{#
    months_between: whole calendar months from one first-of-month DATE to another
    (2025-12-01 → 2026-02-01 is 2), an integer on both engines. dbt.datediff returns a
    bigint on DuckDB and a double on PostgreSQL, hence the cast.
#}
{% macro months_between(start_month, end_month) -%}
    cast({{ dbt.datediff(start_month, end_month, 'month') }} as integer)
{%- endmacro %}

{#
    hours_between: fractional hours from one TIMESTAMP WITH TIME ZONE to another, from the
    exact instants (not the dates), a double on both engines.
#}
{% macro hours_between(start_timestamp, end_timestamp) -%}
    (({{ epoch_seconds(end_timestamp) }} - {{ epoch_seconds(start_timestamp) }}) / 3600.0)
{%- endmacro %}

{#
    date_part_integer: an ISO calendar field of a DATE as an integer. `field` is one of
    isodow (1 = Monday .. 7 = Sunday), isoyear, week (ISO week 1..53), month, quarter, year.
    Both engines implement extract() for these; PostgreSQL returns numeric, DuckDB bigint.
#}
{% macro date_part_integer(field, date_column) -%}
    {%- if field not in ['isodow', 'isoyear', 'week', 'month', 'quarter', 'year', 'day'] -%}
        {{ exceptions.raise_compiler_error("date_part_integer: unsupported field " ~ field) }}
    {%- endif -%}
    {{ return(adapter.dispatch('date_part_integer', 'roi_warehouse')(field, date_column)) }}
{%- endmacro %}

{% macro default__date_part_integer(field, date_column) -%}
    cast(extract({{ field }} from {{ date_column }}) as integer)
{%- endmacro %}
