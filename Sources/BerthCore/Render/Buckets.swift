/// Object storage: lifecycle, access policy and settings per physical bucket, in the
/// provider's own format. Files go to `buckets/<environment>/<bucket>.*.json`
/// (`buckets/shared/` for shared buckets).
extension Renderer {
    /// Who may use a bucket in an environment, and how: services from `uses`, plus the
    /// backup role of every database that keeps its backups there.
    func bucketAccess(_ b: Bucket, env: Environment) -> [(principal: String, readOnly: Bool)] {
        bucketUsers(
            b, env: env, service: { "\(spec.platform)-\($1.name)-\($0.name)" },
            backup: { "\(spec.platform)-\($1.name)-\($0.name)-backup" })
    }

    /// Who may use a bucket in an environment (every environment sharing it, for a shared
    /// bucket), by principal, sorted: each service that `uses` it, read-only where every use
    /// is `:read`, and each database that keeps its backups there, read-write. `service` and
    /// `backup` name the principal of a service or database in an environment.
    func bucketUsers(
        _ b: Bucket, env: Environment, service: (Service, Environment) -> String, backup: (Database, Environment) -> String
    ) -> [(principal: String, readOnly: Bool)] {
        var out: [String: Bool] = [:]
        let envs = plan.isShared(bucket: b, in: env) ? spec.environments.filter { plan.isShared(bucket: b, in: $0) } : [env]
        for e in envs {
            for s in spec.services where s.runs(in: e.name) {
                for u in s.uses where u.kind == .bucket && u.name == b.name {
                    let who = service(s, e)
                    out[who] = (out[who] ?? true) && u.readOnly
                }
            }
            for d in spec.databases where d.backup?.bucket.value == b.name && (d.pinned.map { $0.environment == e.name } ?? true) {
                out[backup(d, e)] = false
            }
        }
        return out.keys.sorted().map { ($0, out[$0] ?? true) }
    }

    static let readActions: [String] = ["s3:GetObject", "s3:GetObjectVersion"]
    static let writeActions: [String] = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]

    func roleARN(_ role: String) -> String { "arn:aws:iam::\(spec.provider.account):role/\(role)" }

    /// S3 bucket policy: explicit principals and actions only; TLS required for each of them.
    func awsBucketPolicy(_ b: Bucket, env: Environment, name: String) -> JSONValue {
        let access = bucketAccess(b, env: env)
        let bucketARN = "arn:aws:s3:::\(name)"
        var statements: [JSONValue] = []
        for readOnly in [true, false] {
            let roles = access.filter { $0.readOnly == readOnly }.map { JSONValue.string(roleARN($0.principal)) }
            guard !roles.isEmpty else { continue }
            let what = readOnly ? "Read" : "ReadWrite"
            statements.append([
                "Sid": .string("\(what)List"), "Effect": "Allow", "Principal": ["AWS": .array(roles)],
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": .string(bucketARN),
            ])
            let actions = readOnly ? Renderer.readActions : Renderer.readActions + Renderer.writeActions
            statements.append([
                "Sid": .string("\(what)Objects"), "Effect": "Allow", "Principal": ["AWS": .array(roles)],
                "Action": .array(actions.map { .string($0) }), "Resource": .string("\(bucketARN)/*"),
            ])
        }
        let everyone = access.map { JSONValue.string(roleARN($0.principal)) }
        if !everyone.isEmpty {
            statements.append([
                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": ["AWS": .array(everyone)],
                "Action": .array((Renderer.readActions + Renderer.writeActions + ["s3:ListBucket"]).map { .string($0) }),
                "Resource": [.string(bucketARN), .string("\(bucketARN)/*")],
                "Condition": ["Bool": ["aws:SecureTransport": "false"]],
            ])
        }
        return ["Version": "2012-10-17", "Statement": .array(statements)]
    }

    static func s3StorageClass(_ tier: String) -> String {
        switch tier {
        case "infrequent-access": "STANDARD_IA"
        case "archive": "GLACIER"
        default: "DEEP_ARCHIVE"
        }
    }

    /// The one S3 lifecycle rule of a bucket in days (each at least 1, as S3 requires), before
    /// a shape writes it: the S3 API's (`awsLifecycle`) or the Crossplane provider's
    /// (`AWSFoundation.lifecycleRule`).
    struct S3LifecycleDays {
        /// Per `lifecycle` transition, oldest last: after how many days, to which storage class.
        var transitions: [(days: Int, storageClass: String)]
        /// When objects expire: the earliest `expire` entry, nil without one.
        var expiration: Int?
        /// When non-current versions expire, nil without versioning.
        var noncurrentVersions: Int?
        /// When incomplete multipart uploads are aborted.
        var abortUploads: Int

        init(_ b: Bucket) {
            transitions = b.lifecycle.filter { $0.transition != nil }.sorted { $0.after < $1.after }.map {
                (max(1, $0.after.days), Renderer.s3StorageClass($0.transition ?? ""))
            }
            expiration = b.lifecycle.filter(\.expire).map(\.after).min().map { max(1, $0.days) }
            noncurrentVersions = b.versioning ? max(1, b.noncurrentAfter.days) : nil
            abortUploads = max(1, b.abortUploadsAfter.days)
        }
    }

    /// The S3 `LifecycleConfiguration`: transitions, expiration, non-current versions and
    /// aborting incomplete multipart uploads.
    func awsLifecycle(_ b: Bucket) -> JSONValue {
        let days = S3LifecycleDays(b)
        var main: [(String, JSONValue)] = [("ID", "lifecycle"), ("Filter", ["Prefix": ""]), ("Status", "Enabled")]
        if !days.transitions.isEmpty {
            main.append(
                ("Transitions", .array(days.transitions.map { ["Days": .int($0.days), "StorageClass": .string($0.storageClass)] })))
        }
        if let e = days.expiration { main.append(("Expiration", ["Days": .int(e)])) }
        if let n = days.noncurrentVersions { main.append(("NoncurrentVersionExpiration", ["NoncurrentDays": .int(n)])) }
        main.append(("AbortIncompleteMultipartUpload", ["DaysAfterInitiation": .int(days.abortUploads)]))
        return ["Rules": .array([.object(main)])]
    }

    /// S3 settings as the inputs of the API calls that apply them (validated with botocore).
    func awsSettings(_ b: Bucket, name: String, env: Environment) -> JSONValue {
        let key = plan.kmsKey(region: plan.dataRegion(of: env))
        var sse: [(String, JSONValue)] = []
        switch b.encryption {
        case "kms":
            sse = [("SSEAlgorithm", "aws:kms")]
            if !key.isEmpty { sse.append(("KMSMasterKeyID", .string(key))) }
        case "s3": sse = [("SSEAlgorithm", "AES256")]
        default: break
        }
        var o: [(String, JSONValue)] = []
        if !sse.isEmpty {
            o.append(
                (
                    "PutBucketEncryption",
                    [
                        "Bucket": .string(name),
                        "ServerSideEncryptionConfiguration": [
                            "Rules": [
                                [
                                    "ApplyServerSideEncryptionByDefault": .object(sse),
                                    "BucketKeyEnabled": .bool(b.encryption == "kms"),
                                ]
                            ]
                        ],
                    ]
                ))
        }
        o.append(
            (
                "PutBucketVersioning",
                ["Bucket": .string(name), "VersioningConfiguration": ["Status": .string(b.versioning ? "Enabled" : "Suspended")]]
            ))
        o.append(
            (
                "PutPublicAccessBlock",
                [
                    "Bucket": .string(name),
                    "PublicAccessBlockConfiguration": [
                        "BlockPublicAcls": true, "IgnorePublicAcls": true,
                        "BlockPublicPolicy": .bool(!b.isPublic), "RestrictPublicBuckets": .bool(!b.isPublic),
                    ],
                ]
            ))
        return .object(o)
    }

    /// MinIO / S3-compatible lifecycle in `mc ilm rule import` form: one rule per step;
    /// transitions go to remote tiers named WARM (infrequent access), COLD (archive) and
    /// GLACIER (deep archive), created with `mc ilm tier add`.
    func minioLifecycle(_ b: Bucket) -> JSONValue {
        var rules: [JSONValue] = []
        for (i, r) in b.lifecycle.enumerated() {
            var rule: [(String, JSONValue)] = [("ID", .string("step-\(i + 1)")), ("Status", "Enabled"), ("Filter", ["Prefix": ""])]
            if let t = r.transition {
                let tier = t == "infrequent-access" ? "WARM" : (t == "archive" ? "COLD" : "GLACIER")
                rule.append(("Transition", ["Days": .int(max(1, r.after.days)), "StorageClass": .string(tier)]))
            }
            if r.expire { rule.append(("Expiration", ["Days": .int(max(1, r.after.days))])) }
            rules.append(.object(rule))
        }
        if b.versioning {
            rules.append([
                "ID": "noncurrent", "Status": "Enabled", "Filter": ["Prefix": ""],
                "NoncurrentVersionExpiration": ["NoncurrentDays": .int(max(1, b.noncurrentAfter.days))],
            ])
        }
        return ["Rules": .array(rules)]
    }

    /// Google Cloud Storage lifecycle (`gcloud storage buckets update --lifecycle-file`).
    func gcsLifecycle(_ b: Bucket) -> JSONValue {
        var rules: [JSONValue] = []
        for r in b.lifecycle {
            if let t = r.transition {
                let cls = t == "infrequent-access" ? "NEARLINE" : (t == "archive" ? "COLDLINE" : "ARCHIVE")
                rules.append([
                    "action": ["type": "SetStorageClass", "storageClass": .string(cls)], "condition": ["age": .int(r.after.days)],
                ])
            }
            if r.expire { rules.append(["action": ["type": "Delete"], "condition": ["age": .int(r.after.days)]]) }
        }
        rules.append(["action": ["type": "AbortIncompleteMultipartUpload"], "condition": ["age": .int(max(1, b.abortUploadsAfter.days))]])
        if b.versioning {
            rules.append(["action": ["type": "Delete"], "condition": ["daysSinceNoncurrentTime": .int(b.noncurrentAfter.days)]])
        }
        return ["rule": .array(rules)]
    }

    /// Azure Blob Storage lifecycle management policy.
    func azureLifecycle(_ b: Bucket, name: String) -> JSONValue {
        var baseBlob: [(String, JSONValue)] = []
        for r in b.lifecycle {
            let days: JSONValue = ["daysAfterModificationGreaterThan": .int(r.after.days)]
            switch r.transition {
            case "infrequent-access"?: baseBlob.append(("tierToCool", days))
            case "archive"?, "deep-archive"?: baseBlob.append(("tierToArchive", days))
            default: break
            }
            if r.expire { baseBlob.append(("delete", days)) }
        }
        var actions: [(String, JSONValue)] = [("baseBlob", .object(baseBlob))]
        if b.versioning { actions.append(("version", ["delete": ["daysAfterCreationGreaterThan": .int(b.noncurrentAfter.days)]])) }
        return [
            "rules": [
                [
                    "enabled": true, "name": .string(name), "type": "Lifecycle",
                    "definition": ["actions": .object(actions), "filters": ["blobTypes": ["blockBlob"]]],
                ]
            ]
        ]
    }

    func bucketArtifacts() -> [Artifact] {
        var out: [Artifact] = []
        for (b, env, name) in plan.physicalBuckets {
            let folder = plan.isShared(bucket: b, in: env) ? "buckets/shared" : "buckets/\(env.name)"
            func add(_ suffix: String, _ v: JSONValue) {
                out.append(Artifact(path: "\(folder)/\(b.name).\(suffix).json", contents: v.serialized(pretty: true) + "\n", objects: 0))
            }
            switch spec.provider.name {
            case .aws:
                add("lifecycle", awsLifecycle(b))
                add("policy", awsBucketPolicy(b, env: env, name: name))
                add("settings", awsSettings(b, name: name, env: env))
            case .onprem:
                add("lifecycle", minioLifecycle(b))
            case .gcp:
                add("lifecycle", gcsLifecycle(b))
                add("iam", gcsBucketIAM(b, env: env))
                add("settings", gcsBucketSettings(b, env: env, name: name))
            case .azure:
                continue  // one management policy per storage account: azureArtifacts()
            }
        }
        return out
    }
}
