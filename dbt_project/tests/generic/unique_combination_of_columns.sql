{#
    Generic test: the combination of `combination_of_columns` is unique in the model
    (the composite-key counterpart of dbt's built-in `unique`; written here because the
    project uses no dbt packages). Fails with one row per duplicated combination.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with grouped as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

)

select *
from grouped
where row_count > 1

{% endtest %}
