{#
    Exact division, the same on every engine.

    DuckDB divides DECIMALs in DOUBLE, PostgreSQL in NUMERIC, and PostgreSQL turns a DOUBLE
    back into NUMERIC through 15 significant digits: the same formula gave marts that
    differed in the 9th decimal. So quotients are computed on whole numbers instead: each
    operand, an exact number with at most 9 decimals, becomes an integer count of 1e-9 units,
    and the quotient is rounded half away from zero to 9 decimals with integer division
    (truncating on both engines), then returned as type_money(). Identical by construction
    on DuckDB, PostgreSQL and any engine with an exact integer type. Operands must be exact
    (integers or decimals): a DOUBLE would be rounded to 9 decimals first.
#}

{# units_of: an exact number with at most 9 decimals as a whole number of 1e-9 units. #}
{% macro units_of(expression) -%}
    cast(cast(({{ expression }}) as {{ type_money() }}) * 1000000000 as {{ type_exact_integer() }})
{%- endmacro %}

{# money_of_units: a whole number of 1e-9 units back as an amount (type_money()). #}
{% macro money_of_units(units) -%}
    {{ return(adapter.dispatch('money_of_units')(units)) }}
{%- endmacro %}

{% macro default__money_of_units(units) -%}
    cast(
                {{ units }}
                as {{ type_money() }}
            ) * cast(0.000000001 as decimal(10, 9))
{%- endmacro %}

{#
    add_money / subtract_money: a + b and a - b of two amounts (type_money()), exact on every
    engine. DuckDB and PostgreSQL add DECIMALs exactly.
#}
{% macro add_money(a, b) -%}
    {{ return(adapter.dispatch('add_money')(a, b, '+')) }}
{%- endmacro %}

{% macro subtract_money(a, b) -%}
    {{ return(adapter.dispatch('add_money')(a, b, '-')) }}
{%- endmacro %}

{% macro default__add_money(a, b, operator) -%}
    ({{ a }}) {{ operator }} ({{ b }})
{%- endmacro %}

{#
    multiply_money: a * b of two amounts (type_money()); the caller casts the product to
    type_money(), which rounds it half away from zero on DuckDB and PostgreSQL.
#}
{% macro multiply_money(a, b) -%}
    {{ return(adapter.dispatch('multiply_money')(a, b)) }}
{%- endmacro %}

{% macro default__multiply_money(a, b) -%}
    {{ a }} * {{ b }}
{%- endmacro %}

{#
    ratio_as_double: numerator / denominator for a DOUBLE result (an FX factor). DuckDB
    divides two DECIMALs in DOUBLE and PostgreSQL in NUMERIC; the caller casts the quotient.
#}
{% macro ratio_as_double(numerator, denominator) -%}
    {{ return(adapter.dispatch('ratio_as_double')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__ratio_as_double(numerator, denominator) -%}
    {{ numerator }} / {{ denominator }}
{%- endmacro %}

{# exact_sign: -1, 0 or 1 in an exact type (Spark's sign() is a DOUBLE). #}
{% macro exact_sign(expression) -%}
    {{ return(adapter.dispatch('exact_sign')(expression)) }}
{%- endmacro %}

{% macro default__exact_sign(expression) -%}
    sign({{ expression }})
{%- endmacro %}

{#
    multiply_divide: a * b / c rounded half away from zero to 9 decimals (type_money()),
    NULL when c is 0 or any operand is NULL. Used for currency conversion:
    amount * rate(base -> reporting) / rate(base -> currency) (docs/metrics.md#currency-conversion).
    In units u(x) = x * 1e9: a * b / c = u(a) * u(b) / u(c) units, so the rounded result is
    sign * floor((2 |u(a) u(b)| + |u(c)|) / (2 |u(c)|)).
#}
{% macro multiply_divide(a, b, c) -%}
    {%- set ua = units_of(a) -%}
    {%- set ub = units_of(b) -%}
    {%- set uc = units_of(c) -%}
    cast(
        case
            when ({{ c }}) = 0 then null
            else {{ money_of_units(
                exact_sign(ua) ~ ' * ' ~ exact_sign(ub) ~ ' * ' ~ exact_sign(uc) ~ '\n                * '
                ~ integer_divide('2 * abs(' ~ ua ~ ') * abs(' ~ ub ~ ') + abs(' ~ uc ~ ')', '2 * abs(' ~ uc ~ ')')
            ) }}
        end
        as {{ type_money() }}
    )
{%- endmacro %}

{#
    safe_divide: numerator / denominator, exactly rounded to 9 decimals (type_money(), see
    multiply_divide), NULL when the denominator is 0 or NULL (docs/metrics.md: a ratio whose
    denominator is 0 is NULL, never 0 and never an error). Integer / integer is a fraction,
    never a truncated integer, on every engine.
#}
{% macro safe_divide(numerator, denominator) -%}
    {{ multiply_divide(numerator, 1, denominator) }}
{%- endmacro %}

{#
    is_median_position: true on the row(s) holding the median of `value` within
    `partition_by`: the middle row of an odd count, the two middle rows of an even one
    (2 * position between count and count + 2). A select-list expression (a window
    function): filter on it in the next CTE, then take the mean of the kept values with
    safe_divide(sum(value), count(value)). The median stays exact, which no engine's median
    aggregate guarantees (PostgreSQL's percentile_cont works in DOUBLE). Rows whose value is
    NULL must be removed first.
#}
{% macro is_median_position(value, partition_by) -%}
    2 * row_number() over (partition by {{ partition_by }} order by {{ value }})
        between count({{ value }}) over (partition by {{ partition_by }})
        and count({{ value }}) over (partition by {{ partition_by }}) + 2
{%- endmacro %}

{#
    clean_string: trims a VARCHAR and turns the empty string into NULL
    (the loader lands empty optional values as NULL; this also covers whitespace-only values).
#}
{% macro clean_string(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#
    clean_code: a normalised enumeration value (lower case, trimmed, empty = NULL),
    used for platform, channel, stage, status and category.
#}
{% macro clean_code(column) -%}
    lower({{ clean_string(column) }})
{%- endmacro %}

{# clean_currency: an ISO-4217 code in upper case, trimmed, empty = NULL. #}
{% macro clean_currency(column) -%}
    upper({{ clean_string(column) }})
{%- endmacro %}

{#
    latest_version_rank: 1 for the row that is the current version of its key.
    Order: the newest version column (updated_at / posted_at) first when the table has
    one, then the later dlt load (load ids are epoch-second strings of equal integer
    width, so they sort as text), then the later line of the file as a last,
    deterministic tie-break.
#}
{% macro latest_version_rank(key_columns, version_column=none) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by
            {% if version_column is not none -%}
            {{ version_column }} desc nulls last,
            {% endif -%}
            _dlt_load_id desc nulls last,
            _source_line desc nulls last
    )
{%- endmacro %}

