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
