{#
    Column types used across models, so one type name serves both engines.
#}

{# Money and ratios in the marts: exact decimal, the precision the loader uses for amounts. #}
{% macro type_money() -%}
    decimal(38, 9)
{%- endmacro %}

{# 8-byte floating point: `double` in DuckDB, `double precision` in PostgreSQL. #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'roi_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{#
    An integer type wide enough for amounts counted in 1e-9 units and multiplied by a rate
    in 1e-9 units (about 1e35): HUGEINT in DuckDB, unbounded NUMERIC elsewhere.
#}
{% macro type_exact_integer() -%}
    {{ return(adapter.dispatch('type_exact_integer', 'roi_warehouse')()) }}
{%- endmacro %}

{% macro default__type_exact_integer() -%}
    numeric
{%- endmacro %}

{% macro duckdb__type_exact_integer() -%}
    hugeint
{%- endmacro %}

{#
    integer_divide: the quotient of two whole numbers truncated toward zero, as a whole
    number (DuckDB's `/` would give a DOUBLE; PostgreSQL's div() on NUMERIC truncates).
#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'roi_warehouse')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    div({{ numerator }}, {{ denominator }})
{%- endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{#-
    A point in time, kept in UTC: `timestamp with time zone` in DuckDB and PostgreSQL; Spark's
    `timestamp` is the same kind (an instant, shown in the session's time zone, UTC here).
-#}
{% macro type_timestamp() -%}
    {{ return(adapter.dispatch('type_timestamp', 'roi_warehouse')()) }}
{%- endmacro %}

{% macro default__type_timestamp() -%}
    timestamp with time zone
{%- endmacro %}

{% macro spark__type_timestamp() -%}
    timestamp
{%- endmacro %}

{# Text of any length: `varchar` in DuckDB and PostgreSQL; Spark's varchar needs a length. #}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'roi_warehouse')()) }}
{%- endmacro %}

{% macro default__type_text() -%}
    varchar
{%- endmacro %}

{% macro spark__type_text() -%}
    string
{%- endmacro %}
