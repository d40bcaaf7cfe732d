/// The DDL berth's schema version 3 wrote (both databases), as it was: the starting point of the
/// upgrade tests. Never edit it to match a later schema.
enum SchemaV3Fixture {
    /// `Schema.sqlite` of version 3.
    static let sqlite = #"""
        CREATE TABLE IF NOT EXISTS berth_pools (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            cidr TEXT NOT NULL,
            family INTEGER NOT NULL CHECK (family IN (4, 6)),
            start_hex TEXT NOT NULL CHECK (length(start_hex) = 32),
            end_hex TEXT NOT NULL CHECK (length(end_hex) = 32),
            quarantine_seconds INTEGER NOT NULL DEFAULT 0 CHECK (quarantine_seconds >= 0),
            created_at INTEGER NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS berth_pools_no_overlap BEFORE INSERT ON berth_pools
        BEGIN
            SELECT RAISE(ABORT, 'berth: pool overlaps an existing pool')
            WHERE EXISTS (SELECT 1 FROM berth_pools p WHERE p.family = NEW.family
                          AND p.start_hex <= NEW.end_hex AND p.end_hex >= NEW.start_hex);
        END;
        CREATE TRIGGER IF NOT EXISTS berth_pools_fixed BEFORE UPDATE OF id, cidr, family, start_hex, end_hex ON berth_pools
        BEGIN
            SELECT RAISE(ABORT, 'berth: a pool''s range cannot change');
        END;

        CREATE TABLE IF NOT EXISTS berth_allocations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            pool_id INTEGER NOT NULL REFERENCES berth_pools(id),
            cidr TEXT NOT NULL,
            length INTEGER NOT NULL,
            start_hex TEXT NOT NULL CHECK (length(start_hex) = 32),
            end_hex TEXT NOT NULL CHECK (length(end_hex) = 32),
            state TEXT NOT NULL CHECK (state IN ('allocated', 'reserved', 'quarantined', 'released')),
            owner TEXT,
            note TEXT,
            request_id TEXT UNIQUE,
            request_params TEXT,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            ended_at INTEGER,
            quarantine_until INTEGER
        );
                CREATE INDEX IF NOT EXISTS berth_allocations_live ON berth_allocations(pool_id, start_hex) WHERE state <> 'released';
        CREATE INDEX IF NOT EXISTS berth_allocations_leases ON berth_allocations(pool_id, expires_at)
            WHERE state = 'allocated' AND expires_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS berth_allocations_quarantined ON berth_allocations(pool_id, quarantine_until)
            WHERE state = 'quarantined';
        -- Never two live holders: a new live row may not overlap one. Live rows never overlap each
        -- other, so the only row starting below NEW that can reach into it is the nearest one.
        CREATE TRIGGER IF NOT EXISTS berth_allocations_one_holder BEFORE INSERT ON berth_allocations
        WHEN NEW.state <> 'released'
        BEGIN
            SELECT RAISE(ABORT, 'berth: overlapping live allocation')
            WHERE EXISTS (SELECT 1 FROM berth_allocations a WHERE a.pool_id = NEW.pool_id AND a.state <> 'released'
                          AND a.start_hex >= NEW.start_hex AND a.start_hex <= NEW.end_hex)
               OR COALESCE((SELECT a.end_hex FROM berth_allocations a WHERE a.pool_id = NEW.pool_id
                            AND a.state <> 'released' AND a.start_hex < NEW.start_hex
                            ORDER BY a.start_hex DESC LIMIT 1) >= NEW.start_hex, 0);
            SELECT RAISE(ABORT, 'berth: allocation outside its pool')
            WHERE NOT EXISTS (SELECT 1 FROM berth_pools p WHERE p.id = NEW.pool_id
                              AND p.start_hex <= NEW.start_hex AND p.end_hex >= NEW.end_hex);
        END;
        CREATE TRIGGER IF NOT EXISTS berth_allocations_fixed_range
        BEFORE UPDATE OF pool_id, cidr, length, start_hex, end_hex, request_id, created_at ON berth_allocations
        BEGIN
            SELECT RAISE(ABORT, 'berth: an allocation''s range cannot change');
        END;
        CREATE TRIGGER IF NOT EXISTS berth_allocations_no_revival BEFORE UPDATE OF state ON berth_allocations
        WHEN OLD.state = 'released' AND NEW.state <> 'released'
        BEGIN
            SELECT RAISE(ABORT, 'berth: a released allocation cannot be live again');
        END;
        CREATE TRIGGER IF NOT EXISTS berth_allocations_no_delete BEFORE DELETE ON berth_allocations
        BEGIN
            SELECT RAISE(ABORT, 'berth: allocations are never deleted');
        END;

        CREATE TABLE IF NOT EXISTS berth_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            allocation_id INTEGER NOT NULL REFERENCES berth_allocations(id),
            pool_id INTEGER NOT NULL REFERENCES berth_pools(id),
            cidr TEXT NOT NULL,
            start_hex TEXT NOT NULL,
            end_hex TEXT NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('allocate', 'reserve', 'release', 'expire', 'quarantine-end')),
            owner TEXT,
            at INTEGER NOT NULL,
            quarantine_until INTEGER,
            actor TEXT
        );
                CREATE TABLE IF NOT EXISTS berth_tokens (
            name TEXT PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'allocate', 'admin')),
            hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
                CREATE INDEX IF NOT EXISTS berth_history_pool ON berth_history(pool_id, seq);
        CREATE INDEX IF NOT EXISTS berth_history_allocation ON berth_history(allocation_id, seq);
        CREATE TRIGGER IF NOT EXISTS berth_history_no_update BEFORE UPDATE ON berth_history
        BEGIN
            SELECT RAISE(ABORT, 'berth: history is append-only');
        END;
        CREATE TRIGGER IF NOT EXISTS berth_history_no_delete BEFORE DELETE ON berth_history
        BEGIN
            SELECT RAISE(ABORT, 'berth: history is append-only');
        END;
        PRAGMA user_version = 3;
        """#

    /// `Schema.postgres` of version 3.
    static let postgres = #"""
        CREATE EXTENSION IF NOT EXISTS btree_gist;
        CREATE TABLE IF NOT EXISTS berth_pools (
            id bigserial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            cidr cidr NOT NULL,
            family integer NOT NULL CHECK (family IN (4, 6)),
            start_hex text NOT NULL CHECK (length(start_hex) = 32),
            end_hex text NOT NULL CHECK (length(end_hex) = 32),
            quarantine_seconds bigint NOT NULL DEFAULT 0 CHECK (quarantine_seconds >= 0),
            created_at bigint NOT NULL,
            CONSTRAINT berth_pools_no_overlap EXCLUDE USING gist (cidr inet_ops WITH &&)
        );
        CREATE TABLE IF NOT EXISTS berth_allocations (
            id bigserial PRIMARY KEY,
            pool_id bigint NOT NULL REFERENCES berth_pools(id),
            cidr cidr NOT NULL,
            length integer NOT NULL,
            start_hex text NOT NULL CHECK (length(start_hex) = 32),
            end_hex text NOT NULL CHECK (length(end_hex) = 32),
            state text NOT NULL CHECK (state IN ('allocated', 'reserved', 'quarantined', 'released')),
            owner text,
            note text,
            request_id text UNIQUE,
            request_params text,
            created_at bigint NOT NULL,
            expires_at bigint,
            ended_at bigint,
            quarantine_until bigint,
            CONSTRAINT berth_allocations_one_holder
                EXCLUDE USING gist (pool_id WITH =, cidr inet_ops WITH &&) WHERE (state <> 'released')
        );
                CREATE INDEX IF NOT EXISTS berth_allocations_live ON berth_allocations(pool_id, start_hex) WHERE state <> 'released';
        CREATE INDEX IF NOT EXISTS berth_allocations_leases ON berth_allocations(pool_id, expires_at)
            WHERE state = 'allocated' AND expires_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS berth_allocations_quarantined ON berth_allocations(pool_id, quarantine_until)
            WHERE state = 'quarantined';
        CREATE TABLE IF NOT EXISTS berth_history (
            seq bigserial PRIMARY KEY,
            allocation_id bigint NOT NULL REFERENCES berth_allocations(id),
            pool_id bigint NOT NULL REFERENCES berth_pools(id),
            cidr cidr NOT NULL,
            start_hex text NOT NULL,
            end_hex text NOT NULL,
            event text NOT NULL CHECK (event IN ('allocate', 'reserve', 'release', 'expire', 'quarantine-end')),
            owner text,
            at bigint NOT NULL,
            quarantine_until bigint,
            actor text
        );
                CREATE TABLE IF NOT EXISTS berth_tokens (
            name TEXT PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'allocate', 'admin')),
            hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
                CREATE INDEX IF NOT EXISTS berth_history_pool ON berth_history(pool_id, seq);
        CREATE INDEX IF NOT EXISTS berth_history_allocation ON berth_history(allocation_id, seq);
        CREATE OR REPLACE FUNCTION berth_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'berth: %', TG_ARGV[0];
        END $$;
        CREATE OR REPLACE TRIGGER berth_history_append_only BEFORE UPDATE OR DELETE ON berth_history
            FOR EACH ROW EXECUTE FUNCTION berth_refuse('history is append-only');
        CREATE OR REPLACE TRIGGER berth_allocations_no_delete BEFORE DELETE ON berth_allocations
            FOR EACH ROW EXECUTE FUNCTION berth_refuse('allocations are never deleted');
        CREATE OR REPLACE TRIGGER berth_allocations_fixed_range
            BEFORE UPDATE OF pool_id, cidr, length, start_hex, end_hex, request_id, created_at ON berth_allocations
            FOR EACH ROW EXECUTE FUNCTION berth_refuse('an allocation''s range cannot change');
        CREATE OR REPLACE TRIGGER berth_allocations_no_revival BEFORE UPDATE OF state ON berth_allocations
            FOR EACH ROW WHEN (OLD.state = 'released' AND NEW.state <> 'released')
            EXECUTE FUNCTION berth_refuse('a released allocation cannot be live again');
        CREATE TABLE IF NOT EXISTS berth_meta (version integer NOT NULL);
        INSERT INTO berth_meta (version) SELECT 3 WHERE NOT EXISTS (SELECT 1 FROM berth_meta);
        """#
}
