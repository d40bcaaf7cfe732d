extension PlatformChecks {
    /// The zones AWS offers in each region, by zone letter (the letters an account sees may
    /// be fewer; these are the ones that exist). Regions not listed are not AWS regions.
    public static let awsZones: [String: String] = [
        "af-south-1": "abc", "ap-east-1": "abc", "ap-northeast-1": "acd", "ap-northeast-2": "abcd", "ap-northeast-3": "abc",
        "ap-south-1": "abc", "ap-south-2": "abc", "ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-southeast-3": "abc",
        "ap-southeast-4": "abc", "ap-southeast-5": "abc", "ap-southeast-7": "abc", "ca-central-1": "abd", "ca-west-1": "abc",
        "eu-central-1": "abc", "eu-central-2": "abc", "eu-north-1": "abc", "eu-south-1": "abc", "eu-south-2": "abc",
        "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc", "il-central-1": "abc", "me-central-1": "abc",
        "me-south-1": "abc", "mx-central-1": "abc", "sa-east-1": "abc", "us-east-1": "abcdef", "us-east-2": "abc",
        "us-west-1": "abc", "us-west-2": "abcd",
    ]

    /// The most managed node groups EKS allows per cluster (service quota, default).
    public static let eksNodeGroupLimit = 30

    /// AWS regions and zones exist (`awsZones`), on every AWS spec: a warning (the table may
    /// fall behind AWS), an error with `infrastructure`, which creates networks in them.
    public static func awsRegions(_ spec: Spec) -> [Diagnostic] {
        guard spec.provider.name == .aws else { return [] }
        return regionFindings(
            spec, zoneLetters: awsZones, unknown: { "'\($0)' is not an AWS region" }, zone: { "\($0)\($1)" },
            badZone: { "zone '\($0)' does not exist in AWS region \($1) (its zones: \($2.joined(separator: ", ")))" })
    }

    // Long: one rule per thing the foundation needs, each a few lines; apart they would each
    // repeat the guards on the provider and the spec.
    /// `infrastructure`: what the foundation needs to be built (see docs/checks.md).
    public static func infrastructure(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        guard let infra = spec.infrastructure else { return [] }
        var out: [Diagnostic] = []
        switch spec.provider.name {
        case .onprem:
            out.append(
                Diagnostic(
                    .note, .infraOnPremises,
                    "infrastructure: on premises there are no cloud resources to render; the foundation is the hardware, MetalLB address pools and the nftables edge firewall",
                    at: infra.location))
            return out
        case .gcp: return gcpInfrastructure(spec, plan: plan)
        case .aws, .azure: break
        }
        out += infraNeedsGitOps(spec, infra: infra)
        if spec.provider.name == .azure { return out + azureInfrastructure(spec, infra: infra) }
        let account = spec.provider.account
        if account.isEmpty {
            out.append(
                .error(
                    .infraEngine, "infrastructure on aws needs provider.account (the roles, keys and policies name it)",
                    at: spec.provider.location))
        }
        for r in spec.provider.regions where !r.kmsKey.isEmpty && !account.isEmpty {
            // A key from another region of a region with clusters is `missing-key`'s finding
            // already when volumes are encrypted with it.
            if let keyRegion = AWSFoundation.region(of: r.kmsKey), keyRegion != r.name, spec.security.encryptionAtRest == "kms",
                spec.clusters.contains(where: { $0.region.value == r.name })
            {
                continue
            }
            let prefix = "arn:aws:kms:\(r.name):\(account):alias/"
            let name = r.kmsKey.hasPrefix(prefix) ? String(r.kmsKey.dropFirst(prefix.count)) : ""
            if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_-".contains($0)) })
                || name.hasPrefix("aws/")
            {
                out.append(
                    .error(
                        .infraKey,
                        "provider.regions.\(r.name).kmsKey must be the alias ARN the foundation creates, \(prefix)<name> (letters, digits, '/', '_', '-'; not aws/), found '\(r.kmsKey)'",
                        at: r.location))
            }
        }
        out += spec.clusters.compactMap {
            nodePoolLimit($0, limit: eksNodeGroupLimit, allows: "EKS allows \(eksNodeGroupLimit) managed node groups per cluster")
        }
        for (b, _, name) in plan.physicalBuckets where !validS3Name(name) {
            out.append(
                .error(
                    .infraLimit,
                    "bucket '\(b.name)' becomes the S3 bucket '\(name)', which is not a valid bucket name (3-63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)",
                    at: b.location))
        }
        return out
    }

    /// An S3 bucket name: 3-63 characters of `[a-z0-9.-]`, starting and ending with a letter or digit.
    static func validS3Name(_ n: String) -> Bool {
        guard (3...63).contains(n.count), let first = n.first, let last = n.last else { return false }
        let ok: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        return ok(first) && ok(last) && n.allSatisfy { ok($0) || $0 == "-" || $0 == "." } && !n.contains("..")
    }
}
