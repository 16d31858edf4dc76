-- Turns Bianmin's fastest-growing PostgreSQL tables into tables partitioned by county
-- (declarative LIST partitioning on county_code): one partition per county of the store and
-- a DEFAULT partition for any other code. Run it once, with every bianmin process stopped,
-- after `bianmin migrate`:
--
--     psql -v ON_ERROR_STOP=1 --single-transaction -f scripts/pg-partition.sql postgres://…
--
-- docs/operations.md ("Province scale") explains when to do this and how to add a county.
-- The tables keep their names, columns, defaults, identity sequences, checks, indexes and
-- foreign keys; their primary keys gain county_code in front, as PostgreSQL requires of a
-- partitioned table. Every row is copied, and the counts are compared before the old table
-- is dropped. Nothing references these tables, so no other table changes.

CREATE FUNCTION pg_temp.bm_partition(tbl text, pk text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    flat text := tbl || '_unpartitioned';
    c text;
    n_old bigint;
    n_new bigint;
    defs text[];
    fks text[];
    d text;
    seq text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class k ON k.oid = p.partrelid
               WHERE k.relname = tbl AND k.relnamespace = 'public'::regnamespace) THEN
        RAISE NOTICE '% is already partitioned', tbl;
        RETURN;
    END IF;
    -- Secondary indexes and foreign keys, to be made again on the partitioned table.
    SELECT coalesce(array_agg(pg_get_indexdef(i.indexrelid)), '{}') INTO defs
        FROM pg_index i WHERE i.indrelid = ('public.' || tbl)::regclass AND NOT i.indisprimary;
    SELECT coalesce(array_agg(format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', tbl, conname,
                                     pg_get_constraintdef(oid))), '{}') INTO fks
        FROM pg_constraint WHERE conrelid = ('public.' || tbl)::regclass AND contype = 'f';
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', tbl, flat);
    EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING IDENTITY '
                   'INCLUDING CONSTRAINTS, PRIMARY KEY (%s)) PARTITION BY LIST (county_code)',
                   tbl, flat, pk);
    FOR c IN SELECT county_code FROM public.org_units WHERE parent_id IS NULL ORDER BY id LOOP
        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES IN (%L)',
                       tbl || '_' || c, tbl, c);
    END LOOP;
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I DEFAULT', tbl || '_default', tbl);
    EXECUTE format('INSERT INTO public.%I SELECT * FROM public.%I', tbl, flat);
    EXECUTE format('SELECT count(*) FROM public.%I', flat) INTO n_old;
    EXECUTE format('SELECT count(*) FROM public.%I', tbl) INTO n_new;
    IF n_old <> n_new THEN
        RAISE EXCEPTION '%: % rows copied of %', tbl, n_new, n_old;
    END IF;
    -- A new identity sequence starts at 1: move it past the copied ids.
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = 'public' AND table_name = tbl AND column_name = 'id') THEN
        seq := pg_get_serial_sequence('public.' || tbl, 'id');
    END IF;
    IF seq IS NOT NULL THEN
        EXECUTE format('SELECT setval(%L, greatest((SELECT max(id) FROM public.%I), 1))', seq, tbl);
    END IF;
    EXECUTE format('DROP TABLE public.%I', flat);
    FOREACH d IN ARRAY defs LOOP
        EXECUTE replace(d, ' ON public.' || flat || ' ', ' ON public.' || tbl || ' ');
    END LOOP;
    FOREACH d IN ARRAY fks LOOP
        EXECUTE d;
    END LOOP;
    RAISE NOTICE '% partitioned by county (% rows)', tbl, n_new;
END
$$;

SELECT pg_temp.bm_partition('audit_log', 'county_code, id');
SELECT pg_temp.bm_partition('case_events', 'county_code, id');
SELECT pg_temp.bm_partition('case_materials', 'county_code, case_id, ord');
SELECT pg_temp.bm_partition('case_pauses', 'county_code, id');
SELECT pg_temp.bm_partition('attachments', 'county_code, id');
SELECT pg_temp.bm_partition('outbox', 'county_code, id');
SELECT pg_temp.bm_partition('login_failures', 'county_code, id');
ANALYZE;
