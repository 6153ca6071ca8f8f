{#
    missing_fx_rate_detail: the human text of a missing_fx_rate quarantine row, e.g.
    "no FX rate for TRY→USD between 2025-03-01 and 2025-03-08: no day in that window on
    which one base currency quotes both TRY and USD".
#}
{% macro missing_fx_rate_detail(currency_column, date_column) -%}
    {%- set reporting_currency_sql = reporting_currency_literal() -%}
    'no FX rate for ' || coalesce({{ currency_column }}, '(no currency)') || '→' || {{ reporting_currency_sql }}
        || ' between ' || cast({{ add_days(date_column, -7) }} as {{ dbt.type_string() }})
        || ' and ' || cast({{ date_column }} as {{ dbt.type_string() }})
        || ': no day in that window on which one base currency quotes both '
        || coalesce({{ currency_column }}, '(no currency)') || ' and ' || {{ reporting_currency_sql }}
{%- endmacro %}
