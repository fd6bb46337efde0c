-- Helpers for typing staged text, defined once per ingest connection.

-- Text without the white space around it: tab, line feed, carriage return,
-- space, no-break space (U+00A0) and ideographic space (U+3000), the set
-- trimSpace removes in Go (stage.go), so that a value staged by DuckDB's CSV
-- reader and one staged in Go (xlsx, GB18030, JSON) type, match and hash
-- alike. trim(x, set) is slow, so it runs only where x starts or ends with
-- one of them. (Comparisons, not IN (...): DuckDB plans an IN list as a
-- join, one per column.)
CREATE OR REPLACE TEMP MACRO cs_trim(x) AS
    CASE WHEN ascii(x) <= 32 OR ascii(x) = 160 OR ascii(x) = 12288 OR suffix(x, ' ') OR suffix(x, chr(9)) OR suffix(x, chr(13))
              OR suffix(x, chr(10)) OR suffix(x, chr(160)) OR suffix(x, chr(12288))
         THEN trim(x, chr(9) || chr(10) || chr(13) || ' ' || chr(160) || chr(12288))
         ELSE x END;

-- Trimmed text, NULL when empty.
CREATE OR REPLACE TEMP MACRO cs_text(x) AS nullif(cs_trim(x), '');

-- Personal numbers masked in free text (unknown extra columns, rejects.raw
-- and rejects.detail): mainland mobile numbers (with or without +86 and
-- separators), landlines written with an area code and a dash, and 18- or
-- 15-digit resident ID numbers, each only where no digit touches it. Two
-- passes, since one match uses up the character between two numbers.
CREATE OR REPLACE TEMP MACRO cs_scrub1(x) AS
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(x,
        '(^|[^0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]([^0-9]|$)', '\1[id]\2', 'g'),
        '(^|[^0-9])[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}([^0-9]|$)', '\1[id]\2', 'g'),
        '(^|[^0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}([^0-9]|$)', '\1[phone]\2', 'g'),
        '(^|[^0-9])0[1-9][0-9]{1,2}-[0-9]{7,8}([^0-9]|$)', '\1[phone]\2', 'g');
CREATE OR REPLACE TEMP MACRO cs_scrub(x) AS
    CASE WHEN regexp_matches(x, '[0-9]{3}') THEN cs_scrub1(cs_scrub1(x)) ELSE x END;

-- A local timestamp from trimmed text. Text with a zone (Z, +hh:mm, -hh:mm
-- after the date) is converted to local time in the session TimeZone;
-- otherwise DuckDB's own cast (YYYY-MM-DD[ T]HH:MM[:SS[.f]], YYYY/MM/DD ...)
-- and then the other forms exports use.
CREATE OR REPLACE TEMP MACRO cs_ts_raw(x) AS
    CASE WHEN length(x) > 16 AND (suffix(x, 'Z') OR contains(substr(x, 11), '+') OR contains(substr(x, 11), '-'))
         -- DuckDB's cast wants seconds before a zone; ISO 8601 does not.
         -- (strptime with %z rolls 02-30 over into March: check the date.)
         THEN coalesce(try_cast(x AS TIMESTAMPTZ),
                       CASE WHEN try_cast(left(x, 10) AS DATE) IS NOT NULL THEN
                           try_strptime(CASE WHEN suffix(x, 'Z') THEN left(x, length(x) - 1) || '+00' ELSE x END,
                                        ['%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M%z']) END)::TIMESTAMP
         ELSE coalesce(try_cast(x AS TIMESTAMP),
                       try_strptime(x, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y.%m.%d',
                                        '%Y.%m.%d %H:%M:%S', '%Y.%m.%d %H:%M']))
    END;

-- A date from trimmed text: the date forms first, then any timestamp form.
-- (try_cast twice: a DATE far outside TIMESTAMP's range, 1000000-01-01,
-- would make a plain cast raise an error and fail the whole file.)
CREATE OR REPLACE TEMP MACRO cs_date_raw(x) AS coalesce(try_cast(try_cast(x AS DATE) AS TIMESTAMP), cs_ts_raw(x));

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

-- Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space folded
-- to their half-width (ASCII) forms; text that is all ASCII is returned as
-- is at once (its length in bytes is its length in characters). The same
-- folding as foldWidth in Go (normalise.go).
CREATE OR REPLACE TEMP MACRO cs_fw(x) AS
    CASE WHEN strlen(x) = length(x) THEN x
         ELSE translate(x, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ ') END;

-- The key a value is matched by against value spellings and aliases
-- (enum_alias): trimmed text, full-width folded, Latin letters in lower case.
CREATE OR REPLACE TEMP MACRO cs_key(x) AS lower(cs_fw(x));

-- A timestamp column read with the layouts (a list of strptime formats)
-- found for it: the text of the local timestamp, or the value as given
-- when no layout reads it (the validation then reads it with the built-in
-- forms, and rejects it as bad_timestamp when none does either).
CREATE OR REPLACE TEMP MACRO cs_ts_norm(x, f) AS
    coalesce(strftime(try_strptime(cs_trim(x), f)::TIMESTAMP, '%Y-%m-%d %H:%M:%S.%f'), x);

-- A quoted value for reject details.
CREATE OR REPLACE TEMP MACRO cs_q(x) AS '"' || coalesce(x, '') || '"';
