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

{#
    Contracts on Spark's Parquet tables. A contract's column names and types are checked as
    on every engine (before the table is written). Its `not_null` constraints are the
    engine's own on DuckDB and PostgreSQL, and on Delta tables, where dbt-spark adds them with
    ALTER TABLE; a Parquet table has no constraints, so the built table is checked instead:
    a NULL in a not_null column fails the model, naming the column and the count, and the
    candidate mart is never published (the run stops before the publish step). A constraint
    type other than not_null is refused on Parquet, not silently dropped.
#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if not contract_config.enforced -%}
        {{ return('') }}
    {%- endif -%}
    {%- if config.get('file_format', 'delta') == 'delta' -%}
        {% do alter_table_add_constraints(relation, model.constraints) %}
        {% do alter_column_set_constraints(relation, model.columns) %}
        {{ return('') }}
    {%- endif -%}
    {%- for constraint in model.constraints -%}
        {{ exceptions.raise_compiler_error(
            "contract of " ~ model.name ~ ": a " ~ constraint.type ~ " constraint cannot be"
            ~ " enforced on a " ~ config.get('file_format') ~ " table on Spark") }}
    {%- endfor -%}
    {%- set not_null_columns = [] -%}
    {%- for column_name, column in model.columns.items() -%}
        {%- for constraint in column.constraints -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do not_null_columns.append(column_name) -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(
                    "contract of " ~ model.name ~ ": column " ~ column_name ~ "'s "
                    ~ constraint.type ~ " constraint cannot be enforced on a "
                    ~ config.get('file_format') ~ " table on Spark") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not_null_columns -%}
        {%- set counts -%}
            select
            {%- for column_name in not_null_columns %}
                count_if({{ adapter.quote(column_name) }} is null){% if not loop.last %},{% endif %}
            {%- endfor %}
            from {{ relation }}
        {%- endset -%}
        {%- set row = run_query(counts).rows[0] -%}
        {%- for column_name in not_null_columns -%}
            {%- if row[loop.index0] > 0 -%}
                {{ exceptions.raise_compiler_error(
                    "contract of " ~ model.name ~ ": not_null column " ~ column_name
                    ~ " holds " ~ row[loop.index0] ~ " NULL value(s) in " ~ relation) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#
    Spark keeps at most 38 digits in a DECIMAL and, to fit a product or a quotient, cuts its
    scale down to as little as 6 (spark.sql.decimalOperations.allowPrecisionLoss): 1e-9 units
    times 0.000000001 would keep 7 decimals. Divided as a DECIMAL(29, 0) by 10^9, the
    quotient's type is DECIMAL(38, 9) exactly (29 whole digits, as type_money() has).
#}
{% macro spark__money_of_units(units) -%}
    cast(cast({{ units }} as decimal(29, 0)) / 1000000000 as {{ type_money() }})
{%- endmacro %}

{# Spark's sign() is a DOUBLE, which would turn the product it is in into a DOUBLE too. #}
{% macro spark__exact_sign(expression) -%}
    cast(sign({{ expression }}) as int)
{%- endmacro %}

{#
    A quotient as a DOUBLE, as DuckDB divides two DECIMALs: Spark would divide them as a
    DECIMAL cut to 6 decimals (0.0078125 became 0.007813).
#}
{% macro spark__ratio_as_double(numerator, denominator) -%}
    (cast({{ numerator }} as double) / cast({{ denominator }} as double))
{%- endmacro %}

{# A product of two amounts, rounded to 9 decimals as DuckDB's cast rounds it (Spark's
   DECIMAL product would keep 6). #}
{% macro spark__multiply_money(a, b) -%}
    {{ multiply_divide(a, b, 1) }}
{%- endmacro %}

{#
    The sum or difference of two DECIMAL(38, 9) has 39 digits on Spark, which cuts its scale
    to 8 to fit 38 (spark.sql.decimalOperations.allowPrecisionLoss): 0.000000005 was lost.
    Added as DECIMAL(37, 9) (28 whole digits, far beyond any amount), the result is a
    DECIMAL(38, 9), exact.
#}
{% macro spark__add_money(a, b, operator) -%}
    (cast({{ a }} as decimal(37, 9)) {{ operator }} cast({{ b }} as decimal(37, 9)))
{%- endmacro %}
