"""Fxiaoke (纷享销客 / ShareCRM) OpenAPI v2: endpoints, error codes, objects and field maps.

Shapes follow the public developer manual (developer.fxiaoke.com/openapi_v2): every call is
an HTTP POST with a JSON body, the HTTP status is 200 even on errors, and the body's
`errorCode` (0 = success) is what counts. See README.md for what was assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

# The tenant's cloud decides the host (open.fxiaoke.com is the default cloud; others are
# e.g. open-hws.fxiaoke.com in Frankfurt, open-ksc.sharecrm.com in Hong Kong,
# open-na.sharecrm.com in North America): `base_url` is configurable for that reason.
DEFAULT_BASE_URL = "https://open.fxiaoke.com"
TOKEN_PATH = "/cgi/corpAccessToken/get/V2"
QUERY_PATH = "/cgi/crm/v2/data/query"

# data/query: at most 100 rows a page; offset may not pass 10,000 (errorCode 10013,
# "offset out of range 10000"); past it the manual's deep-paging recipe orders by _id,
# keeps offset 0 and filters _id GT the last _id seen.
PAGE_SIZE = 100
OFFSET_CAP = 10_000

# A corpAccessToken lives expiresIn seconds (7200); the manual says a request in the last
# 600 s returns a fresh one, so it is renewed once less than this margin is left.
TOKEN_REFRESH_MARGIN_SECONDS = 600

SUCCESS = 0
# corpAccessToken missing/invalid/expired: get a new token once, then retry the call.
TOKEN_EXPIRED_CODES = frozenset({20016, 20005, 11014})
# Transient: throttled (14001 per-interface limit, 30004 per-second limit), system busy (-1),
# service timeout (50009). Retried with backoff like an HTTP 429/5xx.
RETRYABLE_CODES = frozenset({14001, 30004, -1, 50009})
# 10013 is documented both as "missing corpAccessToken" and "offset out of range 10000";
# it only means the latter when the request had a non-zero offset.
OFFSET_OUT_OF_RANGE_CODE = 10013
# Errors of the token call that mean the app credentials are wrong or not authorised.
CREDENTIAL_ERROR_CODES = frozenset(
    {10001, 10002, 10012, 11001, 11002, 11013, 15003, 20006, 20015, 20020, 20021, 20022}
)
# Daily quota exhausted / no Open API quota bought: not transient, fail with the reason.
QUOTA_ERROR_CODES = frozenset({30002, 30003})
ERROR_HINTS = {
    20006: "appId or appSecret is wrong (check app_id / app_secret)",
    20015: "the permanent code is wrong (check permanent_code)",
    11013: "the permanent code is invalid (check permanent_code)",
    20012: "the open user id was not found (check open_user_id)",
    11008: "the open user id is invalid (check open_user_id)",
    20014: "the app may not read this employee's data (check open_user_id's permissions)",
    20020: "the app may not read this enterprise's data",
    20021: "the app is disabled in this enterprise",
    20022: "the enterprise has not authorised this app",
    15003: "the app has no permission for this interface",
    30002: "the daily Open API quota is used up (resets at midnight)",
    30003: "the tenant has bought no Open API quota",
}

# The version cursor of every object (epoch milliseconds) and the keyset paging field.
CURSOR_FIELD = "last_modified_time"
ID_FIELD = "_id"

# Each run re-reads this much before the newest last_modified_time it has seen: a record saved
# just before the last run may have become searchable only after it. Re-read rows merge onto
# themselves (same key and version).
CURSOR_LAG_SECONDS = 300

# Fxiaoke fields of type date (epoch ms of local midnight) that land in a file-drop timestamp
# column: they become midnight UTC of that local date, so the UTC date the warehouse takes is
# the date the user entered. Extend with the `date_fields` setting.
DATE_FIELDS = ("close_date",)

# A record whose life_status is one of these was voided in the CRM: it lands as is_deleted.
DELETED_LIFE_STATUSES = ("invalid",)

# Date fields (e.g. an order date) come as epoch ms of local midnight in the tenant's zone.
DEFAULT_TENANT_TIMEZONE = "Asia/Shanghai"

SOURCE_FILE_VALUE = "fxiaoke API"


@dataclass(frozen=True)
class CrmObject:
    resource: str  # the raw table (raw_crm.<resource>) and the dlt resource name
    api_name: str  # Fxiaoke dataObjectApiName


OBJECTS: tuple[CrmObject, ...] = (
    CrmObject("leads", "LeadsObj"),
    CrmObject("accounts", "AccountObj"),
    CrmObject("opportunities", "NewOpportunityObj"),
    CrmObject("orders", "SalesOrderObj"),
    CrmObject("activities", "ActiveRecordObj"),
    CrmObject("tickets", "CasesObj"),
)
OBJECTS_BY_RESOURCE = {o.resource: o for o in OBJECTS}
OBJECTS_BY_API_NAME = {o.api_name: o for o in OBJECTS}

# File-drop column -> Fxiaoke field API name, per raw table. A dotted path reads inside a
# nested value ("related_object.LeadsObj"); a list value (lookups, owners) gives its first
# element. `__c` fields are custom fields: every tenant names its own, so override them with
# the `field_map` config key (README.md). `is_deleted` is also true whenever life_status is
# in DELETED_LIFE_STATUSES.
DEFAULT_FIELD_MAP: dict[str, dict[str, str | None]] = {
    "leads": {
        "lead_id": "_id",
        "created_at": "create_time",
        "updated_at": "last_modified_time",
        "project_code": "project_code__c",
        "channel": "source",
        "campaign_id": "marketing_event_id",
        "country_code": "country",
        "status": "biz_status",
        "converted_account_id": "account_id",
        "is_deleted": "is_deleted",
    },
    "accounts": {
        "account_id": "_id",
        "created_at": "create_time",
        "updated_at": "last_modified_time",
        "project_code": "project_code__c",
        "country_code": "country",
        "industry": "industry_level1",
        "is_deleted": "is_deleted",
    },
    "opportunities": {
        "opportunity_id": "_id",
        "account_id": "account_id",
        "lead_id": "leads_id",
        "created_at": "create_time",
        "updated_at": "last_modified_time",
        "stage": "sales_stage",
        "amount": "amount",
        "currency": "mc_currency",
        "closed_at": "close_date",
        "owner_id": "owner",
        "is_deleted": "is_deleted",
    },
    "orders": {
        "order_id": "_id",
        "account_id": "account_id",
        "opportunity_id": "new_opportunity_id",
        "order_date": "order_time",
        "updated_at": "last_modified_time",
        "status": "life_status",
        "amount": "order_amount",
        "cost_of_goods": "cost_of_goods__c",
        "currency": "mc_currency",
        "is_deleted": "is_deleted",
    },
    "activities": {
        "activity_id": "_id",
        "lead_id": "related_object.LeadsObj",
        "opportunity_id": "related_object.NewOpportunityObj",
        "occurred_at": "create_time",
        "activity_type": "active_record_type",
    },
    "tickets": {
        "ticket_id": "_id",
        "account_id": "account_id",
        "opened_at": "create_time",
        "resolved_at": "complete_time",
        "satisfaction": "satisfaction__c",
    },
}

# Option values -> file-drop values, per raw table and column. "*" is the value for any option
# not listed; without "*" an unlisted value lands as it is. Override with `value_map`.
# Orders: only a normal (or being-changed) order is confirmed; a draft (ineffective), one
# under review or a voided one is not, so it counts nowhere until the CRM confirms it.
DEFAULT_VALUE_MAP: dict[str, dict[str, dict[str, str]]] = {
    "orders": {
        "status": {"normal": "confirmed", "in_change": "confirmed", "*": "cancelled"},
    },
}
