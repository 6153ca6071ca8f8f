{#
    crm_current_versions: the staging model of a versioned CRM table (leads, accounts,
    opportunities, orders): the raw version history cleaned by `columns`, one row per
    `key_column`, its current version (latest_version_rank over updated_at; see the
    staging_dedup doc). Deleted records stay, with is_deleted = true: the layers above
    exclude them, and an order of a deleted account must stay distinguishable from one of
    an unknown account (int_orders_converted).

    `columns` maps each business column to the expression computing it from the raw table,
    in output order; the version and lineage columns every versioned table has (updated_at,
    is_deleted, _source_file, _source_line, _dlt_load_id) follow them.
#}
{% macro crm_current_versions(source_relation, key_column, columns) -%}
    {%- set version_columns = {
        'updated_at': 'cast(updated_at as ' ~ type_timestamp() ~ ')',
        'is_deleted': 'coalesce(cast(is_deleted as boolean), false)',
        '_source_file': '_source_file',
        '_source_line': '_source_line',
        '_dlt_load_id': '_dlt_load_id'
    } -%}
    {%- set output_columns = {} -%}
    {%- do output_columns.update(columns) -%}
    {%- do output_columns.update(version_columns) -%}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        {%- for name, expression in output_columns.items() %}
        {{ expression }}{% if expression != name %} as {{ name }}{% endif %}{{ "," if not loop.last }}
        {%- endfor %}
    from source

),

deduplicated as (

    select
        *,
        {{ latest_version_rank([key_column], 'updated_at') }} as version_rank
    from renamed

),

final as (

    select
        {%- for name in output_columns %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from deduplicated
    where version_rank = 1

)

select * from final
{%- endmacro %}
