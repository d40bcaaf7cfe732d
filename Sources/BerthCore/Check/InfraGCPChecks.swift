/// What the Google Cloud foundation needs to be built (`infrastructure` on a gcp spec): the
/// GitOps repository and the project, each region's key as the key ring and key the
/// foundation creates, and the names and counts GKE and IAM accept. Zones the region does
/// not have are `gcpLimits`' finding (an error with `infrastructure`).
extension PlatformChecks {
    /// The most node pools GKE allows per cluster.
    public static let gkeNodePoolLimit = 15
    /// The longest GKE cluster and node pool name.
    public static let gkeNameLimit = 40
    /// The lengths a Google service account id may have.
    public static let gcpAccountIdLengths = 6...30

    /// A Cloud KMS key ring or key id: 1-63 letters, digits, '_' and '-'.
    static func validKMSId(_ s: String) -> Bool {
        (1...63).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// The Google service accounts the render annotates, as the text their id is made of
    /// (`<name>-<scope>`), with what uses them and where that is written.
    static func gcpAccounts(_ spec: Spec) -> [(text: String, what: String, at: SourceLocation)] {
        var out: [(String, String, SourceLocation)] = []
        for e in spec.environments {
            for s in spec.services where s.runs(in: e.name) && s.uses.contains(where: { $0.kind == .bucket }) {
                out.append(("\(s.name)-\(e.name)", "service '\(s.name)' in environment '\(e.name)'", s.location))
            }
            for d in spec.databases where d.backup != nil {
                out.append(("\(d.name)-\(e.name)-backup", "the backups of database '\(d.name)' in environment '\(e.name)'", d.location))
            }
        }
        for c in spec.clusters {
            var addons: [String] = []
            if !spec.network.dns.zones.isEmpty { addons += ["cert-manager", "external-dns"] }
            if spec.security.secrets?.store == "gcp-secret-manager" { addons.append("external-secrets") }
            if spec.storage.snapshots != nil { addons.append("velero") }
            for a in addons { out.append(("\(a)-\(c.name)", "\(a) on cluster '\(c.name)'", c.location)) }
            out.append(("gke-\(c.name)-nodes", "the nodes of cluster '\(c.name)'", c.location))
        }
        return out
    }

    // Long: one rule per thing the foundation needs, each a few lines, as for aws.
    /// `infrastructure` on gcp (see docs/checks.md).
    static func gcpInfrastructure(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        guard let infra = spec.infrastructure else { return [] }
        var out = infraNeedsGitOps(spec, infra: infra)
        let project = spec.provider.account
        if project.isEmpty {
            out.append(
                .error(
                    .infraEngine,
                    "infrastructure on gcp needs provider.account, the project the networks, clusters, keys and service accounts are created in",
                    at: spec.provider.location))
        }
        for r in spec.provider.regions where !r.kmsKey.isEmpty && !project.isEmpty {
            let key = GCPFoundation.keyPath(r.kmsKey)
            let ok = key.map { $0.project == project && $0.location == r.name && validKMSId($0.ring) && validKMSId($0.key) } ?? false
            if !ok {
                out.append(
                    .error(
                        .infraKey,
                        "provider.regions.\(r.name).kmsKey must be the key the foundation creates, projects/\(project)/locations/\(r.name)/keyRings/<ring>/cryptoKeys/<key> (1-63 letters, digits, '_', '-'), found '\(r.kmsKey)'",
                        at: r.location))
            }
        }
        if !project.isEmpty, spec.provider.projectNumber.isEmpty,
            spec.provider.regions.contains(where: { GCPFoundation.keyPath($0.kmsKey) != nil })
        {
            out.append(
                .warning(
                    .infraProjectNumber,
                    "infrastructure on gcp: provider.projectNumber is not set, so infra/ cannot grant the service agents of GKE, Compute Engine and Cloud Storage roles/cloudkms.cryptoKeyEncrypterDecrypter on the regions' keys, and secrets encryption, encrypted disks and buckets fail; add provider.projectNumber: <the number of project \(project)> (gcloud projects describe \(project) --format='value(projectNumber)')",
                    at: spec.provider.location))
        }
        for c in spec.clusters {
            if let d = nodePoolLimit(c, limit: gkeNodePoolLimit, allows: "GKE allows \(gkeNodePoolLimit) node pools per cluster") {
                out.append(d)
            }
            if c.name.count > gkeNameLimit {
                out.append(
                    .error(
                        .infraLimit,
                        "cluster '\(c.name)' is \(c.name.count) characters; GKE cluster names are at most \(gkeNameLimit)",
                        at: c.location))
            }
            for p in c.nodePools where p.name.count > gkeNameLimit {
                out.append(
                    .error(
                        .infraLimit,
                        "node pool '\(p.name)' of cluster '\(c.name)' is \(p.name.count) characters; GKE node pool names are at most \(gkeNameLimit)",
                        at: p.location))
            }
        }
        var seen: Set<String> = []
        for a in gcpAccounts(spec) where seen.insert(a.text).inserted && !gcpAccountIdLengths.contains(a.text.count) {
            out.append(
                .error(
                    .infraLimit,
                    "the Google service account of \(a.what) would be '\(a.text)' (\(a.text.count) characters); service account ids are \(gcpAccountIdLengths.lowerBound)-\(gcpAccountIdLengths.upperBound) characters, so the annotation and the foundation would use the shortened '\(Renderer.gcpAccountId(a.text))': shorten the names",
                    at: a.at))
        }
        return out
    }
}
