{#
    Spark SQL's versions of the macros whose SQL differs between engines (dispatched by
    adapter.dispatch; the DuckDB and PostgreSQL versions sit beside each macro's definition).
    The Spark session runs in UTC (spark.sql.session.timeZone, set by the local cluster and
    by the profile's server_side_parameters), so a timestamp's date is its UTC date.
#}

{# double precision: Spark's name is `double`. #}
{% macro spark__type_double() -%}
    double
{%- endmacro %}

{# The widest exact integer: 38 digits (units_of products reach about 1e35). #}
{% macro spark__type_exact_integer() -%}
    decimal(38, 0)
{%- endmacro %}

{#
    Truncating integer division of two whole decimals. Spark's `div` returns a BIGINT, too
    small for amounts in 1e-9 units, and `/` rounds the quotient to a few decimals (which
    could round up to the next integer): remove the remainder first, then divide exactly.
#}
{% macro spark__integer_divide(numerator, denominator) -%}
    cast((({{ numerator }}) - (({{ numerator }}) % ({{ denominator }}))) / ({{ denominator }}) as decimal(38, 0))
{%- endmacro %}

{% macro spark__to_utc_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}

{# Seconds since the epoch as a double: microseconds (exact) divided by a double 1e6. #}
{% macro spark__epoch_seconds(column) -%}
    (unix_micros({{ column }}) / 1e6)
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    cast(
        cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as {{ type_money() }})
        * cast(0.000001 as decimal(7, 6))
        as {{ type_money() }}
    )
{%- endmacro %}

{# ISO fields under Spark's names: dayofweek_iso (1 = Monday), yearofweek (the ISO year). #}
{% macro spark__date_part_integer(field, date_column) -%}
    {%- set spark_field = {'isodow': 'dayofweek_iso', 'isoyear': 'yearofweek'}.get(field, field) -%}
    cast(extract({{ spark_field }} from {{ date_column }}) as integer)
{%- endmacro %}

{# A raw string literal: Spark's ordinary literals would take `\s` as an escape. #}
{% macro spark__campaign_project_tag(column) %}
    nullif(regexp_extract({{ column }}, r'\[\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\]', 1), '')
{% endmacro %}
