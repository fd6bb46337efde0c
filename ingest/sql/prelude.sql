-- Helpers for typing staged text, defined once per ingest connection.

-- Trimmed text, NULL when empty.
CREATE OR REPLACE TEMP MACRO cs_text(x) AS nullif(trim(x), '');

-- A timestamp in any accepted form: YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD ...,
-- ISO 8601 with or without a zone. Without a zone it is local time in the
-- session TimeZone; with one it is converted to local time. Years outside
-- 2000..2099 are treated as unparseable (typos such as 1900 or 2100).
CREATE OR REPLACE TEMP MACRO cs_ts_any(x) AS
    try_cast(regexp_replace(trim(x), '^(\d{4})[/.](\d{1,2})[/.](\d{1,2})', '\1-\2-\3') AS TIMESTAMPTZ)::TIMESTAMP;
CREATE OR REPLACE TEMP MACRO cs_ts(x) AS
    CASE WHEN year(cs_ts_any(x)) BETWEEN 2000 AND 2099 THEN cs_ts_any(x) END;

-- TRUE when x holds text that is not a valid timestamp.
CREATE OR REPLACE TEMP MACRO cs_bad_ts(x) AS cs_text(x) IS NOT NULL AND cs_ts(x) IS NULL;

-- A number, NULL when not one.
CREATE OR REPLACE TEMP MACRO cs_num(x) AS try_cast(replace(trim(x), ',', '') AS DOUBLE);

-- A duration in seconds: "125", "125秒", "125 s", "2分钟", "2 min", "1.5小时".
CREATE OR REPLACE TEMP MACRO cs_duration(x) AS
    try_cast(regexp_extract(trim(x), '^([0-9]+(\.[0-9]+)?)\s*(秒钟|秒|s|sec|分钟|分|min|小时|h)?$', 1) AS DOUBLE)
    * CASE regexp_extract(trim(x), '^([0-9]+(\.[0-9]+)?)\s*(秒钟|秒|s|sec|分钟|分|min|小时|h)?$', 3)
        WHEN '分钟' THEN 60 WHEN '分' THEN 60 WHEN 'min' THEN 60
        WHEN '小时' THEN 3600 WHEN 'h' THEN 3600 ELSE 1 END;

-- A quoted value for reject details.
CREATE OR REPLACE TEMP MACRO cs_q(x) AS '"' || coalesce(x, '') || '"';

-- The canonical value of an enum spelling (see enum_alias); NULL when the
-- spelling is unknown, '' when it means "no answer".
CREATE OR REPLACE TEMP MACRO cs_enum(f, v) AS
    (SELECT canonical FROM enum_alias WHERE field = f AND alias = lower(trim(v)));
CREATE OR REPLACE TEMP MACRO cs_bad_enum(f, v) AS cs_text(v) IS NOT NULL AND cs_enum(f, v) IS NULL;
CREATE OR REPLACE TEMP MACRO cs_bool(v) AS cs_enum('bool', v)::BOOLEAN;
