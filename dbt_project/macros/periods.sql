{#
    The reporting periods: every mart with a period_grain column has one row set per grain
    below (foundation/periods.py's GRAINS is the same list for the orchestration and the
    report). Adding a grain is one entry here; its name must be a date_trunc unit of every
    engine, or period_start below needs its own expression for it (as half_year has).
    Each grain's length (a whole number of days or months) gives its period_end.
#}
{% macro period_grains() -%}
    {{ return({
        'week': {'unit': 'day', 'count': 7},
        'month': {'unit': 'month', 'count': 1},
        'quarter': {'unit': 'month', 'count': 3},
        'half_year': {'unit': 'month', 'count': 6},
        'year': {'unit': 'month', 'count': 12}
    }) }}
{%- endmacro %}

{#
    period_start: first day of the ISO week (Monday), month, quarter, half-year (1 January or
    1 July) or year holding a DATE.
    The date is cast to a time-zone-less TIMESTAMP first: PostgreSQL would otherwise pick
    date_trunc(text, timestamptz) and make the result depend on the session time zone.
    No engine truncates to half-years: the year's start, plus six months from July on.
#}
{% macro period_start(grain, date_column) -%}
    {%- if grain not in period_grains() -%}
        {{ exceptions.raise_compiler_error("period_start: grain must be one of " ~ (period_grains() | join(", ")) ~ ", got " ~ grain) }}
    {%- endif -%}
    {%- if grain == 'half_year' -%}
    cast(
        case
            when extract(month from cast({{ date_column }} as date)) >= 7
                then {{ dbt.dateadd('month', 6, dbt.date_trunc('year', 'cast(' ~ date_column ~ ' as timestamp)')) }}
            else {{ dbt.date_trunc('year', 'cast(' ~ date_column ~ ' as timestamp)') }}
        end
        as date
    )
    {%- else -%}
    cast({{ dbt.date_trunc(grain, 'cast(' ~ date_column ~ ' as timestamp)') }} as date)
    {%- endif -%}
{%- endmacro %}

{#
    period_end: the last day of the period of grain `grain_column` (a column holding a grain
    name) starting on `period_start_column`, a DATE.
#}
{% macro period_end(grain_column, period_start_column) -%}
    case {{ grain_column }}
        {%- for grain, length in period_grains().items() %}
        {%- if length.unit == 'day' %}
        when '{{ grain }}' then {{ add_days(period_start_column, length.count - 1) }}
        {%- else %}
        when '{{ grain }}' then {{ add_days(dbt.dateadd(length.unit, length.count, period_start_column), -1) }}
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}

{#
    in_every_grain: every row of `relation` (a CTE or relation name) once per grain, with
    the grain in period_grain and, for each output column => DATE column of
    `period_starts`, the start of the period of that grain holding the date. Aggregate by
    period_grain and the period start(s) afterwards.
#}
{% macro in_every_grain(relation, period_starts) -%}
    {%- for grain in period_grains() %}
    select
        {{ relation }}.*,
        '{{ grain }}' as period_grain
        {%- for output_column, date_column in period_starts.items() %},
        {{ period_start(grain, date_column) }} as {{ output_column }}
        {%- endfor %}
    from {{ relation }}
    {%- if not loop.last %}

    union all
    {% endif -%}
    {%- endfor %}
{%- endmacro %}
