-- Helpers for typing staged text, defined once per ingest connection.

-- Trimmed text, NULL when empty. (trim only where needed: it copies the
-- string, and most values have no surrounding spaces.)
CREATE OR REPLACE TEMP MACRO cs_text(x) AS
    CASE WHEN x = '' THEN NULL
         WHEN x ^@ ' ' OR suffix(x, ' ') THEN nullif(trim(x), '')
         ELSE x END;

-- A local timestamp from trimmed text. Text with a zone (Z, +hh:mm, -hh:mm
-- after the date) is converted to local time in the session TimeZone;
-- otherwise DuckDB's own cast (YYYY-MM-DD[ T]HH:MM[:SS[.f]], YYYY/MM/DD ...)
-- and then the other forms exports use.
CREATE OR REPLACE TEMP MACRO cs_ts_raw(x) AS
    CASE WHEN length(x) > 19 AND (suffix(x, 'Z') OR contains(substr(x, 11), '+') OR contains(substr(x, 11), '-'))
         THEN try_cast(x AS TIMESTAMPTZ)::TIMESTAMP
         ELSE coalesce(try_cast(x AS TIMESTAMP),
                       try_strptime(x, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y.%m.%d',
                                        '%Y.%m.%d %H:%M:%S', '%Y.%m.%d %H:%M']))
    END;

-- A date from trimmed text: the date forms first, then any timestamp form.
CREATE OR REPLACE TEMP MACRO cs_date_raw(x) AS coalesce(try_cast(x AS DATE)::TIMESTAMP, cs_ts_raw(x));

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
