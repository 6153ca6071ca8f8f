{#
    safe_divide: numerator / denominator, NULL when the denominator is 0 or NULL
    (METRICS.md: a ratio whose denominator is 0 is NULL, never 0 and never an error).
#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else ({{ numerator }}) * 1.0 / ({{ denominator }})
    end
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

{#
    median: the median of a numeric expression within a group (the mean of the two middle
    values for an even count), NULLs ignored, NULL for no values. Ordered-set aggregate
    syntax, which DuckDB and PostgreSQL both implement; the input is cast to a double so
    DuckDB does not interpolate in the input's decimal scale.
#}
{% macro median(expression) -%}
    percentile_cont(0.5) within group (order by cast({{ expression }} as {{ type_double() }}))
{%- endmacro %}
