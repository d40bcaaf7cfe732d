/// Service mesh objects: mTLS everywhere and authorization that mirrors the NetworkPolicy
/// edges, for `network.mesh: linkerd` or `istio`.
///
/// - linkerd: namespaces are annotated `linkerd.io/inject: enabled` and
///   `config.linkerd.io/default-inbound-policy: all-authenticated`; each service with a
///   port gets a `Server` (policy.linkerd.io/v1beta3) and, when something may call it, a
///   `MeshTLSAuthentication` naming the callers' ServiceAccounts (and the gateway's
///   namespace for public services) and an `AuthorizationPolicy` requiring it.
/// - istio: namespaces are labelled `istio-injection: enabled`; a `PeerAuthentication`
///   `default` in STRICT mode per namespace; per service an `AuthorizationPolicy` (ALLOW)
///   from the callers' principals and the gateway namespace, and a `DestinationRule` with
///   ISTIO_MUTUAL TLS and the load-balancing strategy.
extension Renderer {
    var mesh: Mesh { spec.network.mesh }

    func meshNamespaceAnnotations() -> [(String, JSONValue)] {
        switch mesh {
        case .linkerd: [("linkerd.io/inject", "enabled"), ("config.linkerd.io/default-inbound-policy", "all-authenticated")]
        default: []
        }
    }

    func meshNamespaceLabels() -> [(String, JSONValue)] {
        mesh == .istio ? [("istio-injection", "enabled")] : []
    }

    func meshNamespaceObjects(_ t: Target) -> [JSONValue] {
        guard mesh == .istio else { return [] }
        return [
            [
                "apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
                "metadata": meta("default", t.namespace, labels: namespaceLabels(t)),
                "spec": ["mtls": ["mode": "STRICT"]],
            ]
        ]
    }

    /// Istio's name for the load-balancing strategy.
    var istioLoadBalancer: JSONValue {
        switch spec.network.loadBalancing {
        case "least-request": ["simple": "LEAST_REQUEST"]
        case "ring-hash": ["consistentHash": ["useSourceIp": true]]
        default: ["simple": "ROUND_ROBIN"]
        }
    }

    func meshServiceObjects(_ p: Placement, _ t: Target, callers: [String]) -> [JSONValue] {
        guard mesh != .none, let port = p.service.port else { return [] }
        let name = p.service.name
        let ns = t.namespace
        let l = labels(p, t, withVersion: false)
        // Where public traffic comes from, as the traffic graph says: the Gateway's data plane
        // in this namespace, or the ingress controller's namespace.
        let entry = traffic.ingress(.service(name), t).first { $0.purpose == .publicRoute }
        let gatewayNS = entry.map { $0.fromNamespace } ?? spec.network.ingress.namespace
        let isPublic = entry != nil
        if mesh == .istio {
            var docs: [JSONValue] = [
                [
                    "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                    "metadata": meta(name, ns, labels: l),
                    "spec": [
                        "host": .string("\(name).\(ns).svc.cluster.local"),
                        "trafficPolicy": ["loadBalancer": istioLoadBalancer, "tls": ["mode": "ISTIO_MUTUAL"]],
                    ],
                ]
            ]
            var from: [JSONValue] = []
            if !callers.isEmpty {
                from.append(["source": ["principals": .array(callers.map { .string("cluster.local/ns/\(ns)/sa/\($0)") })]])
            }
            if isPublic { from.append(["source": ["namespaces": [.string(gatewayNS)]]]) }
            var policySpec: [(String, JSONValue)] = [
                ("selector", ["matchLabels": ["app.kubernetes.io/name": .string(name)]]),
                ("action", "ALLOW"),
            ]
            // No rule at all would allow nothing, which is what a service nobody calls gets.
            if !from.isEmpty {
                policySpec.append(("rules", [["from": .array(from), "to": [["operation": ["ports": [.string(String(port))]]]]]]))
            }
            docs.append([
                "apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                "metadata": meta(name, ns, labels: l), "spec": .object(policySpec),
            ])
            return docs
        }
        // linkerd
        let proxyProtocol: JSONValue =
            switch p.service.proto {
            case "grpc": "gRPC"
            case "tcp": "opaque"
            default: "HTTP/1"
            }
        var docs: [JSONValue] = [
            [
                "apiVersion": "policy.linkerd.io/v1beta3", "kind": "Server",
                "metadata": meta(name, ns, labels: l),
                "spec": [
                    "podSelector": ["matchLabels": ["app.kubernetes.io/name": .string(name)]],
                    "port": .string(portName(p)),
                    "proxyProtocol": proxyProtocol,
                ],
            ]
        ]
        var identities: [JSONValue] = callers.map { .string("\($0).\(ns).serviceaccount.identity.linkerd.cluster.local") }
        if isPublic { identities.append(.string("*.\(gatewayNS).serviceaccount.identity.linkerd.cluster.local")) }
        guard !identities.isEmpty else { return docs }
        docs.append([
            "apiVersion": "policy.linkerd.io/v1alpha1", "kind": "MeshTLSAuthentication",
            "metadata": meta("\(name)-callers", ns, labels: l),
            "spec": ["identities": .array(identities)],
        ])
        docs.append([
            "apiVersion": "policy.linkerd.io/v1alpha1", "kind": "AuthorizationPolicy",
            "metadata": meta(name, ns, labels: l),
            "spec": [
                "targetRef": ["group": "policy.linkerd.io", "kind": "Server", "name": .string(name)],
                "requiredAuthenticationRefs": [
                    ["group": "policy.linkerd.io", "kind": "MeshTLSAuthentication", "name": .string("\(name)-callers")]
                ],
            ],
        ])
        return docs
    }
}

/// Linkerd's identity (`network.mesh: linkerd`): the control plane is installed with
/// `identity.externalCA: true` and `identity.issuer.scheme: kubernetes.io/tls`, so it reads its
/// issuer certificate from the Secret `linkerd/linkerd-identity-issuer` and its trust anchor
/// from the ConfigMap `linkerd/linkerd-identity-trust-roots` (key `ca-bundle.crt`). berth
/// renders the chain that makes both, in `<cluster>/_cluster.yaml`, no key ever written:
///
/// - ClusterIssuer `linkerd-selfsigned` (self-signed) signs the Certificate
///   `<cert-manager namespace>/linkerd-trust-anchor` (the trust anchor: ECDSA P-256, CA,
///   ten years, renewed a year before it ends), kept in cert-manager's cluster resource
///   namespace, which is also trust-manager's trust namespace;
/// - ClusterIssuer `linkerd-trust-anchor` (CA from that Secret) signs the Certificate
///   `linkerd/linkerd-identity-issuer` (the issuer: CA, 48 hours, renewed after 23);
/// - trust-manager's Bundle `linkerd-identity-trust-roots` copies the anchor's `ca.crt` into
///   the ConfigMap of that name in the `linkerd` namespace.
extension Renderer {
    static let linkerdNamespace = "linkerd"
    static let linkerdTrustDomain = "cluster.local"

    /// cert-manager's namespace (its cluster resource namespace, where a ClusterIssuer's CA
    /// Secret lives); trust-manager reads its sources from the same namespace.
    static var certManagerNamespace: String { AddonVersions.release("cert-manager")?.namespace ?? "cert-manager" }

    func linkerdIdentityObjects() -> [JSONValue] {
        guard mesh == .linkerd else { return [] }
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let cm = Renderer.certManagerNamespace
        let anchorName = "root.linkerd.\(Renderer.linkerdTrustDomain)"
        let identityName = "identity.linkerd.\(Renderer.linkerdTrustDomain)"
        return [
            [
                "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
                "metadata": ["name": "linkerd-selfsigned", "labels": labels],
                "spec": ["selfSigned": .object([])],
            ],
            [
                "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                "metadata": ["name": "linkerd-trust-anchor", "namespace": .string(cm), "labels": labels],
                "spec": [
                    "isCA": true, "commonName": .string(anchorName), "secretName": "linkerd-trust-anchor",
                    "duration": "87600h0m0s", "renewBefore": "8760h0m0s",
                    "privateKey": ["algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"],
                    "issuerRef": ["name": "linkerd-selfsigned", "kind": "ClusterIssuer", "group": "cert-manager.io"],
                ],
            ],
            [
                "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
                "metadata": ["name": "linkerd-trust-anchor", "labels": labels],
                "spec": ["ca": ["secretName": "linkerd-trust-anchor"]],
            ],
            [
                "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                "metadata": ["name": "linkerd-identity-issuer", "namespace": .string(Renderer.linkerdNamespace), "labels": labels],
                "spec": [
                    "isCA": true, "commonName": .string(identityName), "dnsNames": [.string(identityName)],
                    "secretName": "linkerd-identity-issuer", "duration": "48h0m0s", "renewBefore": "25h0m0s",
                    "privateKey": ["algorithm": "ECDSA", "rotationPolicy": "Always"],
                    "usages": ["cert sign", "crl sign", "server auth", "client auth"],
                    "issuerRef": ["name": "linkerd-trust-anchor", "kind": "ClusterIssuer", "group": "cert-manager.io"],
                ],
            ],
            [
                "apiVersion": "trust.cert-manager.io/v1alpha1", "kind": "Bundle",
                "metadata": ["name": "linkerd-identity-trust-roots", "labels": labels],
                "spec": [
                    "sources": [["secret": ["name": "linkerd-trust-anchor", "key": "ca.crt"]]],
                    "target": [
                        "configMap": ["key": "ca-bundle.crt"],
                        "namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(Renderer.linkerdNamespace)]],
                    ],
                ],
            ],
        ]
    }
}
