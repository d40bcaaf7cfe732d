/// The ledger's tables, the same columns on both databases.
///
/// Addresses are also stored as 32-digit lowercase hex (`start_hex`, `end_hex`: first and last
/// address, IPv4 zero-padded), so both databases compare ranges as text. Rows of
/// `berth_allocations` whose state is not `released` are the live holders; the database itself
/// refuses two live holders of one address (SQLite: a row trigger; PostgreSQL: a statement
/// trigger under the pool's write lock, see `postgresOneHolder`), and `berth_history` cannot be
/// updated or deleted.
enum Schema {
    /// 1: first release. 2: partial indexes for leases and quarantines (a write checks them every time).
    /// 3: the history's `actor` (who asked: a server token's name) and the server's `berth_tokens`.
    /// 4: PostgreSQL checks new live blocks with a statement trigger under the pool's lock instead
    /// of a GiST `EXCLUDE` constraint, and drops the history's redundant `pool_id` foreign key
    /// (SQLite: unchanged, its triggers already work that way).
    static let version = 4

    /// Brings a version-3 PostgreSQL store to version 4 (run inside the migration's write, after
    /// the older upgrades). SQLite has nothing to change.
    static let postgresUpgradeFrom3 = """
        ALTER TABLE berth_allocations DROP CONSTRAINT IF EXISTS berth_allocations_one_holder;
        ALTER TABLE berth_history DROP CONSTRAINT IF EXISTS berth_history_pool_id_fkey;
        \(postgresOneHolder)
        """

    /// PostgreSQL's guarantee that no two live allocations of a pool overlap (schema version 4).
    ///
    /// Until version 3 this was `EXCLUDE USING gist (pool_id WITH =, cidr inet_ops WITH &&) WHERE
    /// (state <> 'released')`: correct without any lock, but the GiST index made the allocations
    /// insert of a 16-allocation server batch cost about 1.8 ms of backend CPU (28 buffers per
    /// row). Every berth write already holds the pool's advisory lock (`Ledger.lock`) from BEGIN to
    /// COMMIT, so the check can be ordinary reads instead: after each INSERT statement, this
    /// trigger takes the lock of every pool it wrote (at once for berth, which holds it already;
    /// an outside writer waits for it, so of two racing inserts the second one to take the lock
    /// sees the first one's committed rows) and then looks, for each new live row, for a live row
    /// of its pool starting inside it or the nearest live row starting below it reaching into it
    /// (two probes of the btree index `berth_allocations_live`; live rows never overlap each
    /// other, so the nearest one below is the only one that can reach in: the same rule as the
    /// SQLite trigger). It also refuses a block outside its pool, as SQLite does. About 0.2 ms
    /// per batch of 16. Only an INSERT can make a live block: the range columns cannot be updated
    /// and a released row cannot become live again. The error is `exclusion_violation` (23P01),
    /// as the constraint's was, so a writer that collides with a row written behind its back
    /// rolls back and chooses again. `berth ip check` still compares every pair of neighbouring
    /// live blocks itself.
    static let postgresOneHolder = """
        CREATE OR REPLACE FUNCTION berth_one_holder() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            clash record;
        BEGIN
            PERFORM pg_advisory_xact_lock(\(Ledger.poolLockBase) + pool_id)
            FROM (SELECT DISTINCT pool_id FROM berth_new ORDER BY pool_id) p;
            SELECT n.cidr INTO clash FROM berth_new n
            WHERE NOT EXISTS (SELECT 1 FROM berth_pools p WHERE p.id = n.pool_id
                              AND p.start_hex <= n.start_hex AND p.end_hex >= n.end_hex)
            LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'berth: allocation % outside its pool', clash.cidr USING ERRCODE = 'check_violation';
            END IF;
            SELECT n.cidr AS new_cidr, o.cidr AS old_cidr INTO clash
            FROM berth_new n
            CROSS JOIN LATERAL (
                (SELECT a.cidr FROM berth_allocations a
                 WHERE a.pool_id = n.pool_id AND a.state <> 'released' AND a.start_hex >= n.start_hex
                   AND a.start_hex <= n.end_hex AND a.id <> n.id
                 LIMIT 1)
                UNION ALL
                (SELECT b.cidr FROM (SELECT a.cidr, a.end_hex FROM berth_allocations a
                                     WHERE a.pool_id = n.pool_id AND a.state <> 'released' AND a.start_hex < n.start_hex
                                     ORDER BY a.start_hex DESC LIMIT 1) b
                 WHERE b.end_hex >= n.start_hex)
            ) o
            WHERE n.state <> 'released'
            LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'berth: overlapping live allocation (% overlaps %)', clash.new_cidr, clash.old_cidr
                    USING ERRCODE = 'exclusion_violation';
            END IF;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE TRIGGER berth_allocations_one_holder AFTER INSERT ON berth_allocations
            REFERENCING NEW TABLE AS berth_new FOR EACH STATEMENT EXECUTE FUNCTION berth_one_holder();
        """

    /// Brings a version-2 store to version 3 (both databases; run inside the migration's write).
    /// `hasActor`: the history already has the column (a store downgraded by hand).
    static func upgradeFrom2(hasActor: Bool) -> String {
        (hasActor ? "" : "ALTER TABLE berth_history ADD COLUMN actor TEXT;\n") + tokens
    }

    /// The team server's API tokens: only a SHA-256 hash of each token is kept, never the token.
    static let tokens = """
        CREATE TABLE IF NOT EXISTS berth_tokens (
            name TEXT PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'allocate', 'admin')),
            hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        """

    /// Brings a version-1 store to version 2 (both databases; run inside the migration's write).
    static let upgradeFrom1 = """
        DROP INDEX IF EXISTS berth_allocations_expiry;
        DROP INDEX IF EXISTS berth_allocations_quarantine;
        \(allocationIndexes)
        """

    /// The indexes both databases give the allocations: live blocks by address, leases and quarantines by end time.
    static let allocationIndexes = """
        CREATE INDEX IF NOT EXISTS berth_allocations_live ON berth_allocations(pool_id, start_hex) WHERE state <> 'released';
        CREATE INDEX IF NOT EXISTS berth_allocations_leases ON berth_allocations(pool_id, expires_at)
            WHERE state = 'allocated' AND expires_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS berth_allocations_quarantined ON berth_allocations(pool_id, quarantine_until)
            WHERE state = 'quarantined';
        """

    /// The history's indexes, the same on both databases.
    static let historyIndexes = """
        CREATE INDEX IF NOT EXISTS berth_history_pool ON berth_history(pool_id, seq);
        CREATE INDEX IF NOT EXISTS berth_history_allocation ON berth_history(allocation_id, seq);
        """

    static let sqlite = """
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
        \(allocationIndexes)
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
        \(tokens)
        \(historyIndexes)
        CREATE TRIGGER IF NOT EXISTS berth_history_no_update BEFORE UPDATE ON berth_history
        BEGIN
            SELECT RAISE(ABORT, 'berth: history is append-only');
        END;
        CREATE TRIGGER IF NOT EXISTS berth_history_no_delete BEFORE DELETE ON berth_history
        BEGIN
            SELECT RAISE(ABORT, 'berth: history is append-only');
        END;
        PRAGMA user_version = \(version);
        """

    /// PostgreSQL's tables. `berth_history.pool_id` has no foreign key (since version 4): the
    /// history row's allocation has one, and `berth ip check` compares the two pools; the foreign
    /// key's trigger cost a pool lookup per event. No `btree_gist` either (since version 4).
    static let postgres = """
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
            quarantine_until bigint
        );
        \(allocationIndexes)
        \(postgresOneHolder)
        CREATE TABLE IF NOT EXISTS berth_history (
            seq bigserial PRIMARY KEY,
            allocation_id bigint NOT NULL REFERENCES berth_allocations(id),
            pool_id bigint NOT NULL,
            cidr cidr NOT NULL,
            start_hex text NOT NULL,
            end_hex text NOT NULL,
            event text NOT NULL CHECK (event IN ('allocate', 'reserve', 'release', 'expire', 'quarantine-end')),
            owner text,
            at bigint NOT NULL,
            quarantine_until bigint,
            actor text
        );
        \(tokens)
        \(historyIndexes)
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
        INSERT INTO berth_meta (version) SELECT \(version) WHERE NOT EXISTS (SELECT 1 FROM berth_meta);
        """
}
