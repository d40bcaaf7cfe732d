/// An image reference split into its parts.
///
/// ```swift
/// ImageRef.parse("registry.acme.example/shop/web:1.8.2")?.tag  // "1.8.2"
/// ```
public struct ImageRef: Sendable, Hashable {
    /// Registry host and path, without tag or digest.
    public var repository: String
    /// The tag after `:`, if any.
    public var tag: String?
    /// The digest after `@` (e.g. `sha256:...`), if any.
    public var digest: String?

    /// The registry host: the first path part when it looks like a host, else `docker.io`.
    public var host: String {
        let first = repository.split(separator: "/").first.map(String.init) ?? ""
        return first.contains(".") || first.contains(":") || first == "localhost" ? first : "docker.io"
    }

    /// Splits `repo[:tag][@digest]`; nil when the text is not an image reference.
    public static func parse(_ s: String) -> ImageRef? {
        // Works on UTF-8 bytes: this runs for every service in every environment.
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count < 512, !b.contains(0x20) else { return nil }
        var end = b.count
        var digest: String?
        if let at = b.firstIndex(of: 0x40) {  // '@'
            let d = String(decoding: b[(at + 1)...], as: UTF8.self)
            guard isDigest(d) else { return nil }
            digest = d
            end = at
        }
        var tag: String?
        let lastSlash = b[..<end].lastIndex(of: 0x2F) ?? 0
        if let colon = b[lastSlash..<end].lastIndex(of: 0x3A) {  // ':' after the last '/'
            let t = String(decoding: b[(colon + 1)..<end], as: UTF8.self)
            guard isTag(t) else { return nil }
            tag = t
            end = colon
        }
        guard end > 0,
            b[..<end].allSatisfy({ c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2F || c == 0x2D || c == 0x5F || c == 0x3A
            })
        else { return nil }
        return ImageRef(repository: String(decoding: b[..<end], as: UTF8.self), tag: tag, digest: digest)
    }

    static func isDigest(_ d: String) -> Bool {
        guard d.hasPrefix("sha256:") else { return false }
        let hex = d.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func isTag(_ t: String) -> Bool {
        func word(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F }
        guard let f = t.utf8.first, word(f), t.utf8.count <= 128 else { return false }
        return t.utf8.allSatisfy { word($0) || $0 == 0x2E || $0 == 0x2D }
    }

    /// Tags that name no fixed build.
    public static let mutableTags: Set<String> = ["latest", "main", "master", "stable", "dev", "develop", "edge", "nightly", "head"]

    /// The reference written back: repository, then `:tag` and `@digest` when present.
    public var text: String {
        var s = repository
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest }
        return s
    }
}

/// One service as it runs in one environment on one cluster, with overrides applied.
public struct Placement: Sendable {
    /// The service as written in the spec.
    public var service: Service
    /// The image reference in this environment (the versions file's version applied).
    public var image: String { didSet { version = Placement.version(of: image) } }
    /// The `app.kubernetes.io/version` label of `image` (its tag, or the start of its digest),
    /// worked out once: every object of the placement carries it.
    public private(set) var version: String?
    /// Replica bounds here, the environment's override applied.
    public var replicas: Replicas
    /// Requests and limits here, the environment's override applied.
    public var resources: Resources
    /// The public route here, nil when the service is not public (or is scheduled).
    public var publicRoute: PublicRoute?
    /// Full public host name, e.g. `www.staging.acme.example`.
    public var hostname: String?
    /// Environment variables: the service's, with the environment's override merged over them.
    public var env: [(String, String)]
    /// The node pool it runs on: the one it names, else the cluster's default pool; nil when the named pool is not on this cluster.
    public var pool: NodePool?

    /// A placement from its resolved parts; `version` is worked out from `image`.
    public init(
        service: Service, image: String, replicas: Replicas, resources: Resources, publicRoute: PublicRoute?,
        hostname: String?, env: [(String, String)], pool: NodePool?
    ) {
        self.service = service
        self.image = image
        self.version = Placement.version(of: image)
        self.replicas = replicas
        self.resources = resources
        self.publicRoute = publicRoute
        self.hostname = hostname
        self.env = env
        self.pool = pool
    }

    /// The version label of an image reference: its tag (at most 63 characters), else the
    /// first 12 hex digits of its digest.
    static func version(of image: String) -> String? {
        guard let ref = ImageRef.parse(image) else { return nil }
        if let tag = ref.tag { return String(tag.prefix(63)) }
        if let d = ref.digest { return String(d.dropFirst(7).prefix(12)) }
        return nil
    }
}

/// One environment on one cluster: a namespace and the services in it.
public struct Target: Sendable {
    /// The environment.
    public var environment: Environment
    /// The cluster.
    public var cluster: Cluster
    /// The namespace: `<platform>-<environment>`.
    public var namespace: String
    /// The services that run here, each with the environment's overrides applied.
    public var placements: [Placement]
}

/// What `render`, `docs` and the checks work from: the spec with every environment resolved.
public struct Plan: Sendable {
    /// The spec the plan was made from.
    public var spec: Spec
    /// One target per environment and cluster, in the order environments and their clusters are written.
    public var targets: [Target]
    /// Every cross-cluster database endpoint (see `Plan.remoteEndpoints(spec:plan:)`).
    public private(set) var remoteEndpoints: [RemoteEndpoint] = []
    /// The address plan, when the spec planned one (the traffic graph's addresses come from it).
    public var ipPlan: IPPlan?

    /// Resolves every environment on every cluster of `spec` (in parallel), and the cross-cluster database endpoints.
    public init(spec: Spec, ipPlan: IPPlan? = nil) {
        self.spec = spec
        self.ipPlan = ipPlan
        var pairs: [(Environment, Cluster)] = []
        for env in spec.environments {
            for cref in env.clusters {
                if let cluster = spec.cluster(cref.value) { pairs.append((env, cluster)) }
            }
        }
        // Each environment and cluster is placed on its own: side by side.
        let work = pairs
        self.targets = parallelMap(0..<work.count) { i in
            let (env, cluster) = work[i]
            return Target(
                environment: env, cluster: cluster, namespace: Plan.namespace(spec: spec, environment: env.name),
                placements: spec.services.compactMap { Plan.place($0, env: env, cluster: cluster, spec: spec) })
        }
        if spec.databases.contains(where: { $0.topology.remoteClients == .primary }) {
            self.remoteEndpoints = Plan.remoteEndpoints(spec: spec, plan: self)
        }
    }

    /// The namespace of an environment: `<platform>-<environment>`.
    public static func namespace(spec: Spec, environment: String) -> String { "\(spec.platform)-\(environment)" }

    /// The version a service runs in an environment: the versions file first, then the image's own tag or digest.
    public static func resolvedImage(_ s: Service, env: String, spec: Spec) -> (image: String?, source: SourceLocation) {
        guard let ref = ImageRef.parse(s.image.value) else { return (nil, s.image.location) }
        if let v = spec.versions[env]?[s.name] {
            var r = ImageRef(repository: ref.repository, tag: nil, digest: nil)
            let parts = v.value.split(separator: "@", maxSplits: 1)
            if v.value.hasPrefix("sha256:") {
                r.digest = v.value
            } else if parts.count == 2 {
                r.tag = String(parts[0])
                r.digest = String(parts[1])
            } else {
                r.tag = v.value
            }
            return (r.text, v.location)
        }
        if ref.tag == nil, ref.digest == nil { return (nil, s.image.location) }
        return (ref.text, s.image.location)
    }

    static func place(_ s: Service, env: Environment, cluster: Cluster, spec: Spec) -> Placement? {
        let o = s.override(for: env.name)
        if o?.enabled == false { return nil }
        if let pin = s.pinned, pin.environment != env.name || pin.cluster != cluster.name { return nil }
        // A scheduled service takes no calls: `berth check` refuses its route, and the plan has none.
        let route = s.isScheduled ? nil : o?.publicRoute ?? s.publicRoute
        var host: String?
        if let r = route {
            host = r.apex ? env.domain : "\(r.host).\(env.domain)"
        }
        var envVars = s.env
        for (k, v) in o?.env ?? [] {
            if let i = envVars.firstIndex(where: { $0.0 == k }) { envVars[i].1 = v } else { envVars.append((k, v)) }
        }
        let pool = s.nodePool.flatMap { cluster.pool($0.value) } ?? (s.nodePool == nil ? cluster.defaultPool : nil)
        var replicas = o?.replicas ?? s.replicas
        // A scheduled service runs one pod per run, whatever replicas says.
        if s.isScheduled { replicas = Replicas(min: 1, max: 1, cpu: replicas.cpu) }
        return Placement(
            service: s,
            image: resolvedImage(s, env: env.name, spec: spec).image ?? s.image.value,
            replicas: replicas,
            resources: o?.resources ?? s.resources,
            publicRoute: route,
            hostname: host,
            env: envVars,
            pool: pool)
    }
}
