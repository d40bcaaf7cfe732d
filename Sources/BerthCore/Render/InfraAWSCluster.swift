import Foundation

/// The EKS clusters, node groups, workload identities, buckets and registry of the AWS
/// foundation (see `AWSFoundation`).
extension AWSFoundation {
    static let iamAPI = "iam.aws.upbound.io/v1beta1"
    static let eksAPI = "eks.aws.upbound.io/v1beta1"
    static let s3API = "s3.aws.upbound.io/v1beta1"

    func roleARN(_ role: String) -> String { "arn:aws:iam::\(account):role/\(role)" }

    /// A policy document as the compact JSON text IAM takes.
    func document(_ statements: [JSONValue]) -> JSONValue {
        .string(JSONValue.object([("Version", "2012-10-17"), ("Statement", .array(statements))]).serialized())
    }

    /// A role trusted by an AWS service principal, with AWS managed policies attached.
    func serviceRole(_ name: String, service: String, managed policies: [String]) -> [JSONValue] {
        var out: [JSONValue] = [
            managed(
                AWSFoundation.iamAPI, "Role", name,
                forProvider: [
                    (
                        "assumeRolePolicy",
                        document([
                            [
                                "Effect": "Allow", "Principal": ["Service": .string(service)],
                                "Action": ["sts:AssumeRole", "sts:TagSession"],
                            ]
                        ])
                    ),
                    ("description", .string("\(spec.platform): \(service)")), ("tags", tags(name)),
                ])
        ]
        for p in policies {
            out.append(
                managed(
                    AWSFoundation.iamAPI, "RolePolicyAttachment", "\(name)-\(p.lowercased().replacingOccurrences(of: "_", with: "-"))",
                    forProvider: [("policyArn", .string("arn:aws:iam::aws:policy/\(p)")), ("roleRef", ref(name))]))
        }
        return out
    }

    /// A customer managed policy `name` with `statements`, attached to the role `role`.
    func attachedPolicy(_ name: String, role: String, _ statements: [JSONValue]) -> [JSONValue] {
        [
            managed(
                AWSFoundation.iamAPI, "Policy", name,
                forProvider: [("policy", document(statements)), ("description", .string("\(spec.platform): least privilege of \(role)"))]),
            managed(
                AWSFoundation.iamAPI, "RolePolicyAttachment", name, forProvider: [("policyArnRef", ref(name)), ("roleRef", ref(role))]),
        ]
    }

    /// Use of the keys whose aliases are `aliases` in `region` (`kms:ResourceAliases`: the
    /// key's id is not known before it exists).
    func keyStatement(_ sid: String, region: String, aliases: [String], actions: [String]) -> JSONValue {
        [
            "Sid": .string(sid), "Effect": "Allow", "Action": .array(actions.map { .string($0) }),
            "Resource": .string("arn:aws:kms:\(region):\(account):key/*"),
            "Condition": ["ForAnyValue:StringEquals": ["kms:ResourceAliases": .array(aliases.map { .string($0) })]],
        ]
    }

    static let volumeKeyActions = [
        "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant", "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
        "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey",
    ]

    // MARK: cluster

    // Long: the cluster file is the cluster role, its key policy, the log group, the EKS
    // cluster and the add-ons that need no nodes, in the order the references run.
    func cluster(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let role = "\(spec.platform)-\(n)-cluster"
        let region: (String, JSONValue) = ("region", .string(c.region))
        var out = serviceRole(role, service: "eks.amazonaws.com", managed: ["AmazonEKSClusterPolicy"])
        let alias = AWSFoundation.alias(of: c.key)
        if let alias {
            out += attachedPolicy(
                "\(role)-secrets-key", role: role,
                [
                    keyStatement(
                        "SecretsEncryption", region: c.region, aliases: [alias],
                        actions: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"])
                ])
        }
        let retention = AWSFoundation.logRetentionDays.first { $0 >= spec.security.auditRetention.days } ?? 3653
        out.append(
            managed(
                "cloudwatchlogs.aws.upbound.io/v1beta1", "Group", "\(n)-control-plane", externalName: "/aws/eks/\(n)/cluster",
                forProvider: [region, ("retentionInDays", .int(retention)), ("tags", tags("/aws/eks/\(n)/cluster"))]))
        var cluster: [(String, JSONValue)] = [
            region, ("roleArnRef", ref(role)), ("version", .string(c.cluster.kubernetes)),
            (
                "vpcConfig",
                [
                    [
                        "subnetIdRefs": .array(c.network.subnets.filter { !$0.isPublic }.map { ref(subnetName(c, $0)) }),
                        "endpointPrivateAccess": true,
                        "endpointPublicAccess": .bool(spec.infrastructure?.endpoint != "private"),
                    ]
                ]
            ),
            ("kubernetesNetworkConfig", [["serviceIpv4Cidr": .string(c.network.services), "ipFamily": "ipv4"]]),
            ("enabledClusterLogTypes", ["api", "audit", "authenticator", "controllerManager", "scheduler"]),
            ("accessConfig", [["authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": true]]),
            ("bootstrapSelfManagedAddons", false),
            ("tags", tags(n)),
        ]
        if !c.key.isEmpty {
            cluster.append(("encryptionConfig", [["provider": [["keyArn": .string(c.key)]], "resources": ["secrets"]]]))
        }
        out.append(managed(AWSFoundation.eksAPI, "Cluster", n, externalName: n, forProvider: cluster))
        // The add-ons that run without nodes (DaemonSets); CoreDNS and the EBS CSI driver
        // need nodes and come with the node groups.
        for addon in ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"] {
            out.append(eksAddon(c, addon))
        }
        return out
    }

    func eksAddon(_ c: Foundation.ClusterPlan, _ addon: String, extra: [(String, JSONValue)] = []) -> JSONValue {
        managed(
            AWSFoundation.eksAPI, "Addon", "\(c.cluster.name)-\(addon)",
            forProvider: [
                ("region", .string(c.region)), ("clusterNameRef", ref(c.cluster.name)), ("addonName", .string(addon)),
                ("resolveConflictsOnCreate", "OVERWRITE"), ("resolveConflictsOnUpdate", "PRESERVE"),
            ] + extra)
    }

    /// The node role, one managed node group per pool, CoreDNS, and the EBS CSI driver (with
    /// its role, bound to `kube-system/ebs-csi-controller-sa` through Pod Identity).
    func nodePools(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let role = "\(spec.platform)-\(n)-nodes"
        var out = serviceRole(
            role, service: "ec2.amazonaws.com",
            managed: ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])
        let privateSubnets = c.network.subnets.filter { !$0.isPublic }.map { ref(subnetName(c, $0)) }
        for pool in c.cluster.nodePools {
            var fp: [(String, JSONValue)] = [
                ("region", .string(c.region)), ("clusterNameRef", ref(n)), ("nodeRoleArnRef", ref(role)),
                ("subnetIdRefs", .array(privateSubnets)), ("instanceTypes", [.string(pool.machine)]),
                ("capacityType", pool.spot ? "SPOT" : "ON_DEMAND"),
                ("diskSize", .int(Int(max(1, pool.disk.units >> 30)))),
                ("scalingConfig", [["minSize": .int(pool.min), "maxSize": .int(pool.max)]]),
                ("updateConfig", [["maxUnavailablePercentage": 33]]),
                ("tags", tags("\(n)-\(pool.name)")),
            ]
            if !pool.taints.isEmpty { fp.append(("taint", AWSFoundation.taints(pool.taints))) }
            // The cluster autoscaler owns the desired size once the group exists.
            out.append(
                managed(
                    AWSFoundation.eksAPI, "NodeGroup", "\(n)-\(pool.name)", externalName: pool.name, forProvider: fp,
                    initProvider: [("scalingConfig", [["desiredSize": .int(max(pool.min, 1))]])]))
        }
        out.append(eksAddon(c, "coredns"))
        let csiRole = Renderer.bounded("\(spec.platform)-\(n)-ebs-csi", limit: 64)
        out += podIdentityRole(
            csiRole, bindings: [Foundation.Binding(cluster: n, namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa")])
        out.append(
            managed(
                AWSFoundation.iamAPI, "RolePolicyAttachment", "\(csiRole)-amazonebscsidriverpolicy",
                forProvider: [("policyArn", "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"), ("roleRef", ref(csiRole))]))
        if let alias = AWSFoundation.alias(of: c.key) {
            out += attachedPolicy(
                "\(csiRole)-volumes-key", role: csiRole,
                [keyStatement("EncryptedVolumes", region: c.region, aliases: [alias], actions: AWSFoundation.volumeKeyActions)])
        }
        out.append(
            eksAddon(
                c, "aws-ebs-csi-driver",
                extra: [("podIdentityAssociation", [["roleArn": .string(roleARN(csiRole)), "serviceAccount": "ebs-csi-controller-sa"]])]))
        return out
    }

    /// A node pool's taints as EKS node groups and GKE node pools take them: key, value and
    /// the effect in upper snake case.
    static func taints(_ taints: [Taint]) -> JSONValue {
        .array(
            taints.map {
                ["key": .string($0.key), "value": .string($0.value), "effect": .string(taintEffect($0.effect))]
            })
    }

    static func taintEffect(_ e: String) -> String {
        switch e {
        case "NoExecute": "NO_EXECUTE"
        case "PreferNoSchedule": "PREFER_NO_SCHEDULE"
        default: "NO_SCHEDULE"
        }
    }

    // MARK: identities

    /// A role EKS Pod Identity may assume for exactly `bindings` (one statement per binding,
    /// matching the session tags the agent sets), and one association per binding.
    func podIdentityRole(_ name: String, bindings: [Foundation.Binding]) -> [JSONValue] {
        let statements: [JSONValue] = bindings.enumerated().map { i, b in
            [
                "Sid": .string("PodIdentity\(i + 1)"), "Effect": "Allow", "Principal": ["Service": "pods.eks.amazonaws.com"],
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": [
                    "StringEquals": [
                        "aws:SourceAccount": .string(account), "aws:RequestTag/eks-cluster-name": .string(b.cluster),
                        "aws:RequestTag/kubernetes-namespace": .string(b.namespace),
                        "aws:RequestTag/kubernetes-service-account": .string(b.serviceAccount),
                    ]
                ],
            ]
        }
        var out: [JSONValue] = [
            managed(
                AWSFoundation.iamAPI, "Role", name,
                forProvider: [
                    ("assumeRolePolicy", document(statements)), ("description", .string("\(spec.platform): workload identity \(name)")),
                    ("tags", tags(name)),
                ])
        ]
        for b in bindings {
            let region = spec.cluster(b.cluster)?.region.value ?? ""
            out.append(
                managed(
                    AWSFoundation.eksAPI, "PodIdentityAssociation",
                    AWSFoundation.objectName("\(name)-\(b.cluster)-\(b.namespace)-\(b.serviceAccount)"),
                    forProvider: [
                        ("region", .string(region)), ("clusterNameRef", ref(b.cluster)), ("namespace", .string(b.namespace)),
                        ("serviceAccount", .string(b.serviceAccount)), ("roleArnRef", ref(name)),
                    ]))
        }
        return out
    }

    /// Every workload identity some rendered ServiceAccount names, with what it may do.
    func identities() -> [Foundation.Identity] {
        var known: [String: (Foundation.Purpose, buckets: [(String, Bool)], clusters: [String])] = [:]
        for e in spec.environments {
            for s in spec.services where s.runs(in: e.name) {
                let grants = s.uses.filter { $0.kind == .bucket }.map { (plan.bucketName($0.name, env: e), $0.readOnly) }
                known[renderer.awsRoleName(of: s.name, in: e.name)] = (.service(s.name), grants, [])
            }
            for d in spec.databases {
                guard let b = d.backup else { continue }
                known[renderer.backupRoleName(d.name, environment: e.name)] = (
                    .backup(d.name), [(plan.bucketName(b.bucket.value, env: e), false)], []
                )
            }
        }
        for c in spec.clusters {
            for addon in Renderer.addonServiceAccount.keys {
                var grants: [(String, Bool)] = []
                if addon == "velero", let b = Renderer.veleroBucket(spec) {
                    for t in plan.targets where t.cluster.name == c.name { grants.append((plan.bucketName(b, env: t.environment), false)) }
                }
                known[renderer.awsRoleName(of: addon, in: c.name)] = (.addon(addon), grants, [c.name])
            }
        }
        var bucketKeys: [String: String] = [:]
        for b in plan.foundationBuckets() where !b.key.isEmpty { bucketKeys[b.name] = b.key }
        return bindings.keys.sorted().compactMap { name in
            guard let k = known[name] else { return nil }
            var merged: [String: Bool] = [:]
            for (b, ro) in k.buckets { merged[b] = (merged[b] ?? true) && ro }
            let buckets = merged.keys.sorted().map { (name: $0, readOnly: merged[$0] ?? true) }
            let keys = Set(buckets.compactMap { bucketKeys[$0.name] })
            return Foundation.Identity(
                name: name, purpose: k.0, bindings: bindings[name] ?? [], buckets: buckets, keys: keys.sorted(), clusters: k.clusters)
        }
    }

    /// The role, its least-privilege policy and its Pod Identity associations.
    func identity(_ id: Foundation.Identity) -> [JSONValue] {
        var out = podIdentityRole(id.name, bindings: id.bindings)
        let statements = permissions(id)
        if !statements.isEmpty { out += attachedPolicy(id.name, role: id.name, statements) }
        return out
    }

    // Long: one case per kind of identity, each a short list of statements; apart they would
    // only repeat the shared bucket and key statements.
    func permissions(_ id: Foundation.Identity) -> [JSONValue] {
        var out: [JSONValue] = []
        let read = id.buckets.map(\.name)
        let write = id.buckets.filter { !$0.readOnly }.map(\.name)
        if !read.isEmpty {
            out.append([
                "Sid": "ListBuckets", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": .array(read.map { .string("arn:aws:s3:::\($0)") }),
            ])
            out.append([
                "Sid": "ReadObjects", "Effect": "Allow", "Action": .array(Renderer.readActions.map { .string($0) }),
                "Resource": .array(read.map { .string("arn:aws:s3:::\($0)/*") }),
            ])
        }
        if !write.isEmpty {
            out.append([
                "Sid": "WriteObjects", "Effect": "Allow", "Action": .array(Renderer.writeActions.map { .string($0) }),
                "Resource": .array(write.map { .string("arn:aws:s3:::\($0)/*") }),
            ])
        }
        var byRegion: [String: [String]] = [:]
        for k in id.keys {
            guard let alias = AWSFoundation.alias(of: k), let region = AWSFoundation.region(of: k) else { continue }
            byRegion[region, default: []].append(alias)
        }
        for region in byRegion.keys.sorted() {
            let actions =
                write.isEmpty
                ? ["kms:Decrypt", "kms:DescribeKey"] : ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
            out.append(
                keyStatement(
                    "BucketKey\(region.replacingOccurrences(of: "-", with: ""))", region: region, aliases: byRegion[region] ?? [],
                    actions: actions))
        }
        guard case .addon(let addon) = id.purpose else { return out }
        let zones = spec.network.dns.zones.map(\.value)
        let names: JSONValue = .array(zones.flatMap { [JSONValue.string($0), .string("*.\($0)")] })
        switch addon {
        case "external-dns":
            out.append([
                "Sid": "ChangeRecords", "Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"],
                "Resource": "arn:aws:route53:::hostedzone/*",
                "Condition": ["ForAllValues:StringLike": ["route53:ChangeResourceRecordSetsNormalizedRecordNames": names]],
            ])
            out.append([
                "Sid": "ListZones", "Effect": "Allow",
                "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ListTagsForResource"], "Resource": "*",
            ])
        case "cert-manager":
            out.append([
                "Sid": "ChallengeRecords", "Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"],
                "Resource": "arn:aws:route53:::hostedzone/*",
                "Condition": [
                    "ForAllValues:StringLike": [
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": .array(
                            zones.flatMap { [JSONValue.string("_acme-challenge.\($0)"), .string("_acme-challenge.*.\($0)")] })
                    ],
                    "ForAllValues:StringEquals": ["route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]],
                ],
            ])
            out.append(["Sid": "GetChange", "Effect": "Allow", "Action": ["route53:GetChange"], "Resource": "arn:aws:route53:::change/*"])
            out.append([
                "Sid": "FindZones", "Effect": "Allow", "Action": ["route53:ListHostedZonesByName", "route53:ListResourceRecordSets"],
                "Resource": "*",
            ])
        case "velero":
            out.append([
                "Sid": "Snapshots", "Effect": "Allow",
                "Action": [
                    "ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot",
                    "ec2:DeleteSnapshot",
                ],
                "Resource": "*",
            ])
            for c in id.clusters {
                guard let cp = clusters.first(where: { $0.cluster.name == c }), let alias = AWSFoundation.alias(of: cp.key) else {
                    continue
                }
                out.append(keyStatement("VolumeKey", region: cp.region, aliases: [alias], actions: AWSFoundation.volumeKeyActions))
            }
        case "cluster-autoscaler":
            out.append([
                "Sid": "Describe", "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup",
                ],
                "Resource": "*",
            ])
            for c in id.clusters {
                out.append([
                    "Sid": "ScaleOwnGroups", "Effect": "Allow",
                    "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"], "Resource": "*",
                    "Condition": ["StringEquals": ["aws:ResourceTag/k8s.io/cluster-autoscaler/\(c)": "owned"]],
                ])
            }
        case "aws-load-balancer-controller":
            out += AWSFoundation.loadBalancerControllerStatements
        case "external-secrets":
            for c in id.clusters {
                let region = spec.cluster(c)?.region.value ?? ""
                out.append([
                    "Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": .string("arn:aws:secretsmanager:\(region):\(account):secret:\(spec.platform)/*"),
                ])
            }
        default: break
        }
        return out
    }

    /// What the AWS Load Balancer Controller does: read the network, load balancers and
    /// certificates; create load balancers, target groups and security groups tagged for
    /// its cluster; change and delete only those it tagged.
    static let loadBalancerControllerStatements: [JSONValue] = {
        let tagged: JSONValue = ["Null": ["aws:ResourceTag/elbv2.k8s.aws/cluster": "false"]]
        let tagging: JSONValue = ["Null": ["aws:RequestTag/elbv2.k8s.aws/cluster": "false"]]
        return [
            [
                "Sid": "ServiceLinkedRole", "Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"], "Resource": "*",
                "Condition": ["StringEquals": ["iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"]],
            ],
            [
                "Sid": "Read", "Effect": "Allow",
                "Action": [
                    "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags",
                    "ec2:DescribeRouteTables", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "elasticloadbalancing:Describe*",
                    "acm:ListCertificates", "acm:DescribeCertificate",
                ],
                "Resource": "*",
            ],
            [
                "Sid": "CreateTagged", "Effect": "Allow",
                "Action": [
                    "ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
                ],
                "Resource": "*", "Condition": tagging,
            ],
            [
                "Sid": "TagOnCreate", "Effect": "Allow", "Action": ["ec2:CreateTags", "elasticloadbalancing:AddTags"], "Resource": "*",
                "Condition": tagging,
            ],
            [
                "Sid": "ChangeOwn", "Effect": "Allow",
                "Action": [
                    "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup",
                    "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:RemoveTags",
                ],
                "Resource": "*", "Condition": tagged,
            ],
            [
                "Sid": "ListenersAndTargets", "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
                ],
                "Resource": "*",
            ],
        ]
    }()

    /// The region of a KMS ARN (`arn:aws:kms:<region>:...`).
    static func region(of arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 4 && parts[2] == "kms" ? String(parts[3]) : nil
    }

    // MARK: buckets and registry

    // Long: a bucket is one resource per S3 setting (the provider splits them), written in
    // the order S3 applies them.
    func bucket(_ b: Foundation.CloudBucket) -> [JSONValue] {
        let region: (String, JSONValue) = ("region", .string(b.region))
        let bucketRef: (String, JSONValue) = ("bucketRef", ref(b.name))
        var out: [JSONValue] = [
            managed(
                AWSFoundation.s3API, "Bucket", b.name, externalName: b.name, forProvider: [region, ("tags", tags(b.name))], orphan: true),
            managed(
                AWSFoundation.s3API, "BucketVersioning", b.name,
                forProvider: [
                    region, bucketRef, ("versioningConfiguration", [["status": .string(b.bucket.versioning ? "Enabled" : "Suspended")]]),
                ]),
            managed(
                AWSFoundation.s3API, "BucketPublicAccessBlock", b.name,
                forProvider: [
                    region, bucketRef, ("blockPublicAcls", true), ("ignorePublicAcls", true),
                    ("blockPublicPolicy", .bool(!b.bucket.isPublic)),
                    ("restrictPublicBuckets", .bool(!b.bucket.isPublic)),
                ]),
            managed(
                AWSFoundation.s3API, "BucketOwnershipControls", b.name,
                forProvider: [region, bucketRef, ("rule", [["objectOwnership": "BucketOwnerEnforced"]])]),
        ]
        var sse: [(String, JSONValue)] = []
        switch b.bucket.encryption {
        case "kms":
            sse = [("sseAlgorithm", "aws:kms")]
            if !b.key.isEmpty { sse.append(("kmsMasterKeyId", .string(b.key))) }
        case "s3": sse = [("sseAlgorithm", "AES256")]
        default: break
        }
        if !sse.isEmpty {
            out.append(
                managed(
                    AWSFoundation.s3API, "BucketServerSideEncryptionConfiguration", b.name,
                    forProvider: [
                        region, bucketRef,
                        (
                            "rule",
                            [
                                [
                                    "applyServerSideEncryptionByDefault": [.object(sse)],
                                    "bucketKeyEnabled": .bool(b.bucket.encryption == "kms"),
                                ]
                            ]
                        ),
                    ]))
        }
        out.append(
            managed(
                AWSFoundation.s3API, "BucketLifecycleConfiguration", b.name,
                forProvider: [region, bucketRef, ("rule", [lifecycleRule(b.bucket)])]))
        if let env = spec.environment(plan.physicalBuckets.first { $0.name == b.name }?.env.name ?? "") {
            let policy = renderer.awsBucketPolicy(b.bucket, env: env, name: b.name)
            if (policy["Statement"]?.arrayValue ?? []).isEmpty == false {
                out.append(
                    managed(
                        AWSFoundation.s3API, "BucketPolicy", b.name,
                        forProvider: [region, bucketRef, ("policy", .string(policy.serialized()))]))
            }
        }
        return out
    }

    /// The lifecycle rule of `buckets/` in the provider's shape (`Renderer.S3LifecycleDays`).
    func lifecycleRule(_ b: Bucket) -> JSONValue {
        let days = Renderer.S3LifecycleDays(b)
        var rule: [(String, JSONValue)] = [("id", "lifecycle"), ("status", "Enabled"), ("filter", [["prefix": ""]])]
        if !days.transitions.isEmpty {
            rule.append(("transition", .array(days.transitions.map { ["days": .int($0.days), "storageClass": .string($0.storageClass)] })))
        }
        if let e = days.expiration { rule.append(("expiration", [["days": .int(e)]])) }
        if let n = days.noncurrentVersions { rule.append(("noncurrentVersionExpiration", [["noncurrentDays": .int(n)]])) }
        rule.append(("abortIncompleteMultipartUpload", [["daysAfterInitiation": .int(days.abortUploads)]]))
        return .object(rule)
    }

    /// The region of an ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), nil for another registry.
    func registryRegion() -> String? {
        guard let host = spec.delivery.registry?.host else { return nil }
        let parts = host.split(separator: ".")
        guard parts.count == 6, parts[1] == "dkr", parts[2] == "ecr", parts[4] == "amazonaws", parts[5] == "com" else { return nil }
        return String(parts[3])
    }

    /// The ECR repositories the services pull from, with scanning, tag immutability and the
    /// lifecycle policy; nil without an ECR registry.
    func registry() -> [JSONValue]? {
        guard let reg = spec.delivery.registry, let region = registryRegion() else { return nil }
        let policy = renderer.ecrLifecyclePolicy(reg, untaggedDays: max(1, reg.untaggedAfter.days)).serialized()
        return renderer.registryRepositories(reg).flatMap { repo -> [JSONValue] in
            let name = AWSFoundation.objectName(repo)
            return [
                managed(
                    "ecr.aws.upbound.io/v1beta1", "Repository", name, externalName: repo,
                    forProvider: [
                        ("region", .string(region)), ("imageTagMutability", reg.immutable ? "IMMUTABLE" : "MUTABLE"),
                        ("imageScanningConfiguration", [["scanOnPush": .bool(reg.scanOnPush)]]), ("tags", tags(repo)),
                    ], orphan: true),
                managed(
                    "ecr.aws.upbound.io/v1beta1", "LifecyclePolicy", name,
                    forProvider: [("region", .string(region)), ("repositoryRef", ref(name)), ("policy", .string(policy))]),
            ]
        }
    }
}
