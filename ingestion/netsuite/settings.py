"""NetSuite SuiteQL over REST: endpoint, paging limits, the cost query and its mappings."""

from __future__ import annotations

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
# SuiteQL REST pages hold at most 1000 rows, and limit + offset may not pass 100,000 rows;
# past that the connector restarts the query from the newest lastmodifieddate it has seen.
PAGE_SIZE = 1000
MAX_ROWS_PER_QUERY = 100_000
SIGNATURE_METHOD = "HMAC-SHA256"

# Default host of an account: the account id in lower case with "-" for "_", e.g.
# https://1234567-sb1.suitetalk.api.netsuite.com
HOST_TEMPLATE = "https://{account}.suitetalk.api.netsuite.com"

# The zone NetSuite renders lastmodifieddate in: the integration role's user preference
# (set it to UTC, or set `timezone` to the role's zone).
DEFAULT_TIMEZONE = "UTC"

SOURCE_FILE_VALUE = "netsuite SuiteQL"

# The cost query: one row per posting expense line, with the dimensions a project can hang
# on (department and class), the expense account (for the category) and the version.
# `{since}` is replaced by the cursor, 'YYYY-MM-DD HH24:MI:SS' in DEFAULT_TIMEZONE / `timezone`.
# Replace the whole query with the `query` setting; it must return the columns of
# REQUIRED_COLUMNS (lower case, as SuiteQL returns them), ordered by posted_at.
# Amounts are the line's amount in the transaction currency (foreignamount), positive for a
# cost; flip the sign in your query if your books store expenses as negatives.
DEFAULT_QUERY = """
SELECT
    t.id || '-' || tl.id AS cost_id,
    BUILTIN.DF(tl.department) AS department,
    BUILTIN.DF(tl.class) AS class,
    TO_CHAR(t.trandate, 'YYYY-MM-DD') AS cost_date,
    a.acctnumber AS account_number,
    a.fullname AS account_name,
    tl.foreignamount AS amount,
    cur.symbol AS currency,
    TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS posted_at
FROM transaction t
INNER JOIN transactionline tl ON tl.transaction = t.id
INNER JOIN account a ON a.id = tl.expenseaccount
INNER JOIN currency cur ON cur.id = t.currency
WHERE t.posting = 'T'
    AND tl.mainline = 'F'
    AND a.accttype IN ('Expense', 'OthExpense')
    AND t.lastmodifieddate >= TO_TIMESTAMP('{since}', 'YYYY-MM-DD HH24:MI:SS')
ORDER BY t.lastmodifieddate, t.id, tl.id
""".strip()

REQUIRED_COLUMNS = (
    "cost_id",
    "cost_date",
    "account_number",
    "account_name",
    "amount",
    "currency",
    "posted_at",
)

# Which dimension names the project: the class (default) or the department. Its display name
# is the project_code unless `project_map` maps it.
PROJECT_FIELDS = ("class", "department")
DEFAULT_PROJECT_FIELD = "class"

# Any other column the query returns (a field added to it, or to NetSuite's answer) is kept
# as a text column of raw_erp.costs and reported as a schema change; the models ignore it.
MAPPED_COLUMNS = (*REQUIRED_COLUMNS, *PROJECT_FIELDS)

# Expense account -> file-drop category. Keys are matched against the account number (exact,
# then the longest matching prefix, so "61" covers 6100-6199) and then the account name
# (exact, case-insensitive). Unmatched accounts get `default_category`. Every company's
# chart of accounts differs: set `category_map` (README.md).
DEFAULT_CATEGORY_MAP: dict[str, str] = {}
DEFAULT_CATEGORY = "other"
