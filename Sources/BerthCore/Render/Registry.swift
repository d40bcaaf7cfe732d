/// The registry policy in the provider's own form, under `registry/`.
///
/// - aws: `ecr-lifecycle-policy.json` (the lifecycle policy document) and `ecr.json`, the
///   inputs of ECR's PutImageTagMutability, PutImageScanningConfiguration and
///   PutLifecyclePolicy calls for every repository the services pull from, with the scan
///   severity that blocks a deploy.
/// - gcp, azure, onprem: `harbor.json`, a Harbor project's metadata (auto scan, prevent
///   vulnerable images at a severity), tag retention policy and immutable tag rule in the
///   shapes of Harbor's v2.0 API.
extension Renderer {
    func registryArtifacts() -> [Artifact] {
        guard let reg = spec.delivery.registry else { return [] }
        let untaggedDays = max(1, reg.untaggedAfter.days)
        switch spec.provider.name {
        case .aws:
            let policy = ecrLifecyclePolicy(reg, untaggedDays: untaggedDays)
            let policyText = policy.serialized()
            let repos = registryRepositories(reg)
            let calls: [JSONValue] = repos.map { repo in
                [
                    "repositoryName": .string(repo),
                    "PutImageTagMutability": [
                        "repositoryName": .string(repo), "imageTagMutability": reg.immutable ? "IMMUTABLE" : "MUTABLE",
                    ],
                    "PutImageScanningConfiguration": [
                        "repositoryName": .string(repo), "imageScanningConfiguration": ["scanOnPush": .bool(reg.scanOnPush)],
                    ],
                    "PutLifecyclePolicy": ["repositoryName": .string(repo), "lifecyclePolicyText": .string(policyText)],
                ]
            }
            let ecr = registryDocument(
                reg,
                scanNote:
                    "ECR reports scan findings; it does not block pulls. The deploy gate (admission policy or pipeline) refuses images with findings of severity \(reg.blockSeverity.uppercased()) or above.",
                repositories: calls)
            return [
                Artifact(path: "registry/ecr-lifecycle-policy.json", contents: policy.serialized(pretty: true) + "\n", objects: 0),
                Artifact(path: "registry/ecr.json", contents: ecr.serialized(pretty: true) + "\n", objects: 0),
            ]
        case .azure where spec.acrRegistryName != nil:
            return acrArtifacts(reg, untaggedDays: untaggedDays)
        case .gcp, .azure, .onprem:
            if spec.provider.name == .gcp, let ar = artifactRegistryArtifacts(reg, untaggedDays: untaggedDays) { return ar }
            return [
                Artifact(
                    path: "registry/harbor.json", contents: harborPolicy(reg, untaggedDays: untaggedDays).serialized(pretty: true) + "\n",
                    objects: 0)
            ]
        }
    }

    /// The registry policy document of a cloud registry (ECR, Artifact Registry): host, tag
    /// strategy, scanning with `scanNote` on what blocks a deploy, and one entry per repository.
    func registryDocument(_ reg: Delivery.Registry, scanNote: String, repositories: [JSONValue]) -> JSONValue {
        [
            "registry": .string(reg.host),
            "tagStrategy": .string(reg.tags),
            "scan": [
                "onPush": .bool(reg.scanOnPush), "blockSeverity": .string(reg.blockSeverity.uppercased()), "note": .string(scanNote),
            ],
            "repositories": .array(repositories),
        ]
    }

    /// Repository paths (without the host) of every service image from the registry, sorted.
    func registryRepositories(_ reg: Delivery.Registry) -> [String] {
        var repos: Set<String> = []
        for s in spec.services {
            guard let ref = ImageRef.parse(s.image.value), ref.host == reg.host else { continue }
            repos.insert(String(ref.repository.dropFirst(reg.host.count + 1)))
        }
        return repos.sorted()
    }

    /// ECR lifecycle rules: expire untagged images after N days, keep the last K tagged images.
    func ecrLifecyclePolicy(_ reg: Delivery.Registry, untaggedDays: Int) -> JSONValue {
        [
            "rules": [
                [
                    "rulePriority": 1,
                    "description": .string("Expire untagged images \(untaggedDays) days after push"),
                    "selection": [
                        "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": .int(untaggedDays),
                    ],
                    "action": ["type": "expire"],
                ],
                [
                    "rulePriority": 2,
                    "description": .string("Keep the last \(reg.keepLast) tagged images"),
                    "selection": [
                        "tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan",
                        "countNumber": .int(reg.keepLast),
                    ],
                    "action": ["type": "expire"],
                ],
            ]
        ]
    }

    func harborPolicy(_ reg: Delivery.Registry, untaggedDays: Int) -> JSONValue {
        let allRepos: JSONValue = ["repository": [["kind": "doublestar", "decoration": "repoMatches", "pattern": "**"]]]
        let allTags: JSONValue = [["kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":false}"]]
        return [
            "registry": .string(reg.host),
            "tagStrategy": .string(reg.tags),
            "projectMetadata": [
                "auto_scan": .string(reg.scanOnPush ? "true" : "false"),
                "prevent_vul": "true",
                "severity": .string(reg.blockSeverity),
            ],
            "retentionPolicy": [
                "algorithm": "or",
                "rules": [
                    [
                        "disabled": false, "action": "retain", "template": "latestPushedK",
                        "params": ["latestPushedK": .int(reg.keepLast)],
                        "tag_selectors": allTags, "scope_selectors": allRepos,
                    ],
                    [
                        "disabled": false, "action": "retain", "template": "nDaysSinceLastPush",
                        "params": ["nDaysSinceLastPush": .int(untaggedDays)],
                        "tag_selectors": [
                            ["kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": "{\"untagged\":true}"]
                        ],
                        "scope_selectors": allRepos,
                    ],
                ],
                "trigger": ["kind": "Schedule", "settings": ["cron": "0 0 3 * * *"]],
                "scope": ["level": "project", "ref": 0],
            ],
            "immutableTagRules": reg.immutable
                ? [
                    [
                        "disabled": false, "action": "immutable", "template": "immutable_template",
                        "tag_selectors": [["kind": "doublestar", "decoration": "matches", "pattern": "**"]],
                        "scope_selectors": allRepos,
                    ]
                ] : [],
        ]
    }
}
