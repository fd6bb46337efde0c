-- Helpers for typing staged text, defined once per ingest connection.

-- Trimmed text, NULL when empty.
CREATE OR REPLACE TEMP MACRO cs_text(x) AS nullif(trim(x), '');

-- A local timestamp from trimmed text: the zone-less forms first (fast
-- strptime), then ISO 8601 with a zone, converted to local time in the
-- session TimeZone.
CREATE OR REPLACE TEMP MACRO cs_ts_raw(x) AS coalesce(
    try_strptime(x, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M',
                     '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f',
                     '%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y.%m.%d %H:%M:%S', '%Y.%m.%d %H:%M']),
    CASE WHEN regexp_matches(x, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$') THEN try_cast(x AS TIMESTAMPTZ)::TIMESTAMP END);

-- A date from trimmed text: the date forms first, then any timestamp form.
CREATE OR REPLACE TEMP MACRO cs_date_raw(x) AS coalesce(
    try_strptime(x, ['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d']), cs_ts_raw(x));

-- Years outside 2000..2099 are typos (1900, 2100): treated as unparseable.
CREATE OR REPLACE TEMP MACRO cs_in_range(t) AS
    CASE WHEN t >= TIMESTAMP '2000-01-01' AND t < TIMESTAMP '2100-01-01' THEN t END;

-- A number, NULL when not one.
CREATE OR REPLACE TEMP MACRO cs_num(x) AS try_cast(replace(trim(x), ',', '') AS DOUBLE);

-- A duration in seconds: "125", "125秒", "125 s", "2分钟", "2 min", "1.5小时".
CREATE OR REPLACE TEMP MACRO cs_duration(x) AS coalesce(try_cast(trim(x) AS DOUBLE),
    try_cast(regexp_extract(trim(x), '^([0-9]+(\.[0-9]+)?)\s*(秒钟|秒|s|sec|分钟|分|min|小时|h)?$', 1) AS DOUBLE)
    * CASE regexp_extract(trim(x), '^([0-9]+(\.[0-9]+)?)\s*(秒钟|秒|s|sec|分钟|分|min|小时|h)?$', 3)
        WHEN '分钟' THEN 60 WHEN '分' THEN 60 WHEN 'min' THEN 60
        WHEN '小时' THEN 3600 WHEN 'h' THEN 3600 ELSE 1 END);

-- A quoted value for reject details.
CREATE OR REPLACE TEMP MACRO cs_q(x) AS '"' || coalesce(x, '') || '"';
