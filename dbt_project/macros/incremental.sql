{#-
    Incremental models rebuild only the rows that new raw rows, late FX rates and newly
    known projects touch (docs: `incremental_models`). What they share:

    - Each build records, per raw table the model reads, the newest raw load it has taken
      in: audit.incremental_loads (model, source_table, load_id, built_at), written by the
      model's post-hook in the build's own transaction. The next build takes in the rows of
      loads after that one: dlt's load ids grow with time and loads never overlap a build
      (one writer at a time), so no load is missed, whatever order the sources loaded in.
      A model without a record (a lost table) takes in every row: slower, never wrong.
    - A whole rebuild (`--full-refresh`) happens on demand and whenever the project's code or
      vars change (orchestration/dbt_assets.py compares the project's fingerprint with the
      one of the warehouse's last build).
-#}

{#- on-run-start: the table of what each incremental model has taken in (per raw table). -#}
{% macro create_incremental_loads_table() -%}
    create table if not exists audit.incremental_loads (
        model {{ type_text() }} not null,
        source_table {{ type_text() }} not null,
        load_id {{ type_text() }},
        built_at {{ type_timestamp() }} not null
    )
{%- endmacro %}

{#-
    post-hook of an incremental model: record the newest load of each of `source_tables`
    (names like 'raw_ads.ad_spend', sources of the project) the build has taken in.
-#}
{% macro record_loads_taken_in(source_tables) -%}
    delete from audit.incremental_loads where model = '{{ this.name }}';
    insert into audit.incremental_loads (model, source_table, load_id, built_at)
    {% for source_table in source_tables -%}
        {%- set source_name, table_name = source_table.split('.') %}
        select
            '{{ this.name }}',
            '{{ source_table }}',
            (select max(_dlt_load_id) from {{ source(source_name, table_name) }}),
            current_timestamp
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The newest load of `source_table` this model's last build took in ('' for none). -#}
{% macro last_load_taken_in(source_table) -%}
    (
        select coalesce(max(load_id), '')
        from audit.incremental_loads
        where model = '{{ this.name }}' and source_table = '{{ source_table }}'
    )
{%- endmacro %}

{#-
    True for a business date whose FX conversion a rate loaded since the model's last build
    may change: a rate dated r is used for the business dates r .. r + 7 (the 7-day fallback
    of int_fx_factors_resolved), whatever its currencies. The model must name
    `-- depends_on: {{ ref('stg_fx__rates') }}` (the ref below is only rendered when the
    model builds incrementally) and record 'raw_fx.rates' in its post-hook.
-#}
{% macro fx_rates_loaded_since_last_build(date_column) -%}
    exists (
        select 1
        from {{ ref('stg_fx__rates') }} as loaded_rates
        where
            loaded_rates._dlt_load_id > {{ last_load_taken_in('raw_fx.rates') }}
            and {{ date_column }} >= loaded_rates.rate_date
            and {{ date_column }} <= {{ add_days('loaded_rates.rate_date', 7) }}
    )
{%- endmacro %}
