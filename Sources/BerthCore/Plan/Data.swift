/// Where data lives: which environment and cluster hold a database or bucket instance.
///
/// A database or bucket belongs to its environment (`data: isolated`, the default): each
/// environment has its own instance. With `shared: true` on the database or bucket, or
/// `data: shared` on the environment, the environment uses one platform-wide instance
/// instead, kept in the first environment (spec order) that uses it shared.
extension Plan {
    /// Which CloudNativePG cluster of a database a Kubernetes cluster holds.
    public enum DatabaseRole: Sendable, Equatable {
        /// The read-write CloudNativePG cluster.
        case primary
        /// A replica cluster in another Kubernetes cluster of the same environment, fed from the
        /// primary's WAL archive; promoted when the primary's region is lost.
        case replica(of: String)
    }

    func isShared(database d: Database, in env: Environment) -> Bool { d.shared || !env.dataIsolated }
    func isShared(bucket b: Bucket, in env: Environment) -> Bool { b.shared || !env.dataIsolated }

    /// The environment holding the shared instance of a database.
    func sharedHome(database d: Database) -> Environment? {
        spec.environments.first { isShared(database: d, in: $0) }
    }

    /// The physical bucket name for an environment.
    public func bucketName(_ b: String, env: Environment) -> String {
        if let bucket = spec.bucket(b), isShared(bucket: bucket, in: env) { return "\(spec.platform)-\(b)" }
        return "\(spec.platform)-\(env.name)-\(b)"
    }

    /// Distinct physical buckets and the environment each is listed under.
    public var physicalBuckets: [(bucket: Bucket, env: Environment, name: String)] {
        var seen: Set<String> = []
        var out: [(Bucket, Environment, String)] = []
        for env in spec.environments {
            for b in spec.buckets {
                let n = bucketName(b.name, env: env)
                if seen.insert(n).inserted { out.append((b, env, n)) }
            }
        }
        return out
    }
}
