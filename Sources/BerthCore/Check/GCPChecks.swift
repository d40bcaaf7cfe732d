/// Google Cloud's own limits on what a `provider.name: gcp` spec names, each reported at
/// the spec's `file:line:col`: regions and zones that exist (`provider-region`), machine
/// types of a Compute Engine family (`provider-machine`), and the names berth derives for
/// Cloud Storage buckets and Secret Manager secrets (`provider-name-limit`).
extension PlatformChecks {
    /// Google Cloud regions and the letters of their zones (`<region>-<letter>`), as
    /// Google lists them. Google adds regions, so a name missing here is a warning, not an error.
    public static let gcpRegions: [String: String] = [
        "africa-south1": "abc", "asia-east1": "abc", "asia-east2": "abc", "asia-northeast1": "abc",
        "asia-northeast2": "abc", "asia-northeast3": "abc", "asia-south1": "abc", "asia-south2": "abc",
        "asia-southeast1": "abc", "asia-southeast2": "abc", "australia-southeast1": "abc",
        "australia-southeast2": "abc", "europe-central2": "abc", "europe-north1": "abc",
        "europe-southwest1": "abc", "europe-west1": "bcd", "europe-west2": "abc", "europe-west3": "abc",
        "europe-west4": "abc", "europe-west6": "abc", "europe-west8": "abc", "europe-west9": "abc",
        "europe-west10": "abc", "europe-west12": "abc", "me-central1": "abc", "me-central2": "abc",
        "me-west1": "abc", "northamerica-northeast1": "abc", "northamerica-northeast2": "abc",
        "northamerica-south1": "abc", "southamerica-east1": "abc", "southamerica-west1": "abc",
        "us-central1": "abcf", "us-east1": "bcd", "us-east4": "abc", "us-east5": "abc", "us-south1": "abc",
        "us-west1": "abc", "us-west2": "abc", "us-west3": "abc", "us-west4": "abc",
    ]

    /// Compute Engine machine families and the types each offers (`<family>-<type>-<vCPUs>`).
    public static let gcpMachineFamilies: [String: Set<String>] = [
        "e2": ["standard", "highmem", "highcpu"], "n1": ["standard", "highmem", "highcpu"],
        "n2": ["standard", "highmem", "highcpu"], "n2d": ["standard", "highmem", "highcpu"],
        "n4": ["standard", "highmem", "highcpu"], "t2d": ["standard"], "t2a": ["standard"],
        "c2": ["standard"], "c2d": ["standard", "highmem", "highcpu"], "c3": ["standard", "highmem", "highcpu"],
        "c3d": ["standard", "highmem", "highcpu"], "c4": ["standard", "highmem", "highcpu"],
        "c4a": ["standard", "highmem", "highcpu"], "m1": ["megamem", "ultramem"], "m2": ["megamem", "ultramem", "hypermem"],
        "m3": ["megamem", "ultramem"], "a2": ["highgpu", "megagpu", "ultragpu"], "a3": ["highgpu", "megagpu"],
        "g2": ["standard"], "h3": ["standard"], "z3": ["standard", "highmem"],
    ]

    /// The shared-core types, which have no vCPU count in their name.
    static let gcpSharedCore: Set<String> = ["e2-micro", "e2-small", "e2-medium", "f1-micro", "g1-small"]

    /// What is wrong with `machine` as a Compute Engine machine type (nil: nothing).
    public static func gcpMachineProblem(_ machine: String) -> String? {
        if gcpSharedCore.contains(machine) { return nil }
        let parts = machine.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let known = gcpMachineFamilies.keys.sorted().joined(separator: ", ")
        guard parts.count >= 3, let types = gcpMachineFamilies[parts[0]] else {
            return "not a Compute Engine machine type (<family>-<type>-<vCPUs>, families \(known))"
        }
        // Custom types: <family>-custom-<vCPUs>-<MiB>.
        if parts[1] == "custom", parts.count == 4, Int(parts[2]) != nil, Int(parts[3]) != nil { return nil }
        guard types.contains(parts[1]), parts.count == 3 || (parts.count == 4 && parts[3] == "lssd"), let n = Int(parts[2]), n > 0
        else {
            return "not a type of the \(parts[0]) family (\(types.sorted().map { "\(parts[0])-\($0)-<vCPUs>" }.joined(separator: ", ")))"
        }
        return nil
    }

    /// What is wrong with `name` as a Cloud Storage bucket name (nil: nothing).
    public static func gcsBucketNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy {
            (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: ".")
        }
        func alnum(_ b: UInt8?) -> Bool { b.map { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) } ?? false }
        guard (3...63).contains(bytes.count), allowed, alnum(bytes.first), alnum(bytes.last) else {
            return
                "Cloud Storage bucket names are 3-63 lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
        }
        if name.hasPrefix("goog") || name.contains("google") {
            return "Cloud Storage bucket names may not start with 'goog' or contain 'google'"
        }
        return nil
    }

    /// Findings for a `provider.name: gcp` spec (none for other providers).
    public static func gcpLimits(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        guard spec.provider.name == .gcp else { return [] }
        var out = regionFindings(
            spec, zoneLetters: gcpRegions, unknown: { "unknown Google Cloud region '\($0)'" }, zone: { "\($0)-\($1)" },
            badZone: { "zone '\($0)' is not a zone of Google Cloud region '\($1)' (\($2.joined(separator: ", ")))" })
        out += machineFindings(spec, problem: gcpMachineProblem)
        var seen: Set<String> = []
        for (b, _, name) in plan.physicalBuckets where seen.insert(name).inserted {
            if let problem = gcsBucketNameProblem(name) {
                out.append(.error(.providerNameLimit, "bucket '\(b.name)' is created as '\(name)': \(problem)", at: b.location))
            }
        }
        if spec.security.secrets?.store == "gcp-secret-manager" {
            for env in spec.environments {
                for s in spec.services where s.runs(in: env.name) {
                    for secret in s.secrets {
                        let id = Renderer.gcpSecretId("\(spec.platform)/\(env.name)/\(s.name)/\(secret)")
                        guard id.utf8.count > 255 else { continue }
                        out.append(
                            .error(
                                .providerNameLimit,
                                "secret '\(secret)' of service '\(s.name)' in '\(env.name)' is stored as '\(id)': Secret Manager secret ids are at most 255 letters, digits, '_' and '-'",
                                at: s.location))
                    }
                }
            }
        }
        return out
    }
}
