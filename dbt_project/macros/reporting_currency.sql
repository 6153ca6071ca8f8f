{#
    reporting_currency(): the dbt var `reporting_currency` as an ISO-4217 code (upper case),
    checked: anything but three letters stops the compilation, since the code is written
    into the SQL of the models. reporting_currency_literal(): the same as a SQL string
    literal ('USD'; three letters need no escaping). `roi` has refused a code not in
    ISO-4217 before dbt starts; this check holds for anyone running dbt by hand with `--vars`.
#}
{% macro reporting_currency() -%}
    {%- set value = var('reporting_currency') -%}
    {%- set code = (value | string | trim | upper) -%}
    {%- if value is not string or not modules.re.fullmatch('[A-Z]{3}', code) -%}
        {{ exceptions.raise_compiler_error(
            "dbt var reporting_currency '" ~ (value | string) ~ "'"
            ~ " is not an ISO-4217 currency code: expected three letters, e.g. USD") }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}

{% macro reporting_currency_literal() -%}
    {{ return("'" ~ reporting_currency() ~ "'") }}
{%- endmacro %}


{#
    reporting_currency_column(): the `reporting_currency` column of a model whose amounts are
    in the reporting currency, typed as the engine's string type.
#}
{% macro reporting_currency_column() -%}
    cast({{ reporting_currency_literal() }} as {{ dbt.type_string() }}) as reporting_currency
{%- endmacro %}
