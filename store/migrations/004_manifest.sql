-- 004: the ingest manifest remembers each file's size and modification
-- time, so that an unchanged input is recognised without reading it (a
-- month's run over a folder of a year's exports would otherwise hash every
-- file again). A file whose size or modification time differs is read and
-- hashed as before; one with the same content (sha256) is still skipped.
ALTER TABLE ingest_files ADD COLUMN size_bytes BIGINT;
ALTER TABLE ingest_files ADD COLUMN modified_unix_ns BIGINT;

COMMENT ON COLUMN ingest_files.size_bytes IS 'Size of the file when it was loaded (or last seen unchanged). Unit: bytes.';
COMMENT ON COLUMN ingest_files.modified_unix_ns IS 'Modification time of the file when it was loaded (or last seen unchanged), as the file system gave it: a file at the same path with the same size and modification time is taken as unchanged and not read again. Unit: nanoseconds since 1970-01-01 00:00 UTC.';
