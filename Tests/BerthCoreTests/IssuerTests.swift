import Foundation
import Testing

@testable import BerthCore

/// On-premises certificates (`security.tls.issuer` `ca` and `vault`) and Longhorn's encrypted
/// volumes: what is rendered, that every Secret and ServiceAccount they name is rendered on
/// the same cluster, and what `berth check` refuses.
@Suite("On-premises issuers and encrypted volumes")
struct IssuerTests {
    static func example(_ name: String) throws -> Spec {
        try #require(try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent("examples/\(name)/platform.yaml").path).spec)
    }

    static func clusterFile(_ spec: Spec, _ cluster: String) throws -> [JSONValue] {
        try #require(Renderer(plan: Plan(spec: spec)).renderedFiles().first { $0.path == "\(cluster)/_cluster.yaml" }?.objects)
    }

    static func object(_ docs: [JSONValue], _ kind: String, _ name: String) -> JSONValue? {
        docs.first { $0["kind"]?.stringValue == kind && $0.at("metadata.name")?.stringValue == name }
    }

    static let labels: JSONValue = ["app.kubernetes.io/part-of": "lab", "app.kubernetes.io/managed-by": "berth"]

    @Test(
        "issuer vault: Kubernetes auth with a token of ServiceAccount cert-manager/vault-issuer, which is rendered with the Role letting cert-manager request it"
    )
    func vault() throws {
        let docs = try Self.clusterFile(try Self.example("onprem"), "lab")
        let issuer = try #require(Self.object(docs, "ClusterIssuer", "vault"))
        #expect(
            issuer["spec"] == [
                "vault": [
                    "server": "https://vault.lab.example:8200",
                    "path": "pki_int/sign/lab-example",
                    "auth": [
                        "kubernetes": [
                            "role": "cert-manager",
                            "mountPath": "/v1/auth/kubernetes-lab",
                            "serviceAccountRef": ["name": "vault-issuer"],
                        ]
                    ],
                ]
            ])
        #expect(
            Self.object(docs, "ServiceAccount", "vault-issuer") == [
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": ["name": "vault-issuer", "namespace": "cert-manager", "labels": Self.labels],
                "automountServiceAccountToken": false,
            ])
        #expect(
            Self.object(docs, "Role", "vault-issuer")?["rules"] == [
                [
                    "apiGroups": [""], "resources": ["serviceaccounts/token"], "resourceNames": ["vault-issuer"], "verbs": ["create"],
                ]
            ])
        let binding = try #require(Self.object(docs, "RoleBinding", "vault-issuer"))
        #expect(binding.at("metadata.namespace") == "cert-manager")
        #expect(binding["subjects"] == [["kind": "ServiceAccount", "name": "cert-manager", "namespace": "cert-manager"]])
        #expect(binding["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "vault-issuer"])
        // No ACME account, no e-mail, no solver.
        #expect(issuer.at("spec.acme") == nil)
    }

    @Test("issuer vault: the path defaults to pki/sign/<platform> and the role to cert-manager")
    func vaultDefaults() throws {
        let text = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml"))
            .replacingOccurrences(of: ", path: pki_int/sign/lab-example, role: cert-manager }", with: " }")
        let spec = try #require(Fixtures.check(text).spec)
        let issuer = try #require(Self.object(try Self.clusterFile(spec, "lab"), "ClusterIssuer", "vault"))
        #expect(issuer.at("spec.vault.path") == "pki/sign/lab")
        #expect(issuer.at("spec.vault.auth.kubernetes.role") == "cert-manager")
    }

    @Test("issuer ca: the ClusterIssuer names the CA Secret, which an ExternalSecret in cert-manager's namespace fills from the store")
    func ca() throws {
        let docs = try Self.clusterFile(try Self.example("onprem-mesh"), "lab")
        #expect(Self.object(docs, "ClusterIssuer", "ca")?["spec"] == ["ca": ["secretName": "lab-ca"]])
        #expect(
            Self.object(docs, "ExternalSecret", "lab-ca") == [
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": ["name": "lab-ca", "namespace": "cert-manager", "labels": Self.labels],
                "spec": [
                    "refreshInterval": "1h",
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": "vault"],
                    "target": ["name": "lab-ca", "creationPolicy": "Owner"],
                    "dataFrom": [["extract": ["key": "lab/cert-manager/lab-ca"]]],
                ],
            ])
    }

    @Test(
        "Longhorn encrypted volumes: the StorageClass names longhorn-system/longhorn-crypto for every CSI step, and an ExternalSecret fills it from the store"
    )
    func longhornEncryption() throws {
        let docs = try Self.clusterFile(try Self.example("onprem"), "lab")
        let sc = try #require(Self.object(docs, "StorageClass", "replicated"))
        guard case .object(let params)? = sc["parameters"] else {
            Issue.record("no parameters")
            return
        }
        let p = Dictionary(params.compactMap { k, v in v.stringValue.map { (k, $0) } }, uniquingKeysWith: { a, _ in a })
        #expect(p["encrypted"] == "true")
        for step in ["provisioner", "node-stage", "node-publish", "node-expand"] {
            #expect(p["csi.storage.k8s.io/\(step)-secret-name"] == "longhorn-crypto", "\(step)")
            #expect(p["csi.storage.k8s.io/\(step)-secret-namespace"] == "longhorn-system", "\(step)")
        }
        let es = try #require(Self.object(docs, "ExternalSecret", "longhorn-crypto"))
        #expect(es.at("metadata.namespace") == "longhorn-system")
        #expect(
            es.at("spec.target.template.data") == [
                "CRYPTO_KEY_VALUE": "{{ .passphrase }}", "CRYPTO_KEY_PROVIDER": "secret", "CRYPTO_KEY_CIPHER": "aes-xts-plain64",
                "CRYPTO_KEY_HASH": "sha256", "CRYPTO_KEY_SIZE": "256", "CRYPTO_PBKDF": "argon2i",
            ])
        #expect(es.at("spec.data") == [["secretKey": "passphrase", "remoteRef": ["key": "lab/longhorn/lab", "property": "passphrase"]]])
        // atRest: none: no encryption parameters, no passphrase Secret.
        let text = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml"))
            .replacingOccurrences(of: "  compliance: [soc2]\n", with: "  encryption: { atRest: none }\n")
        let plain = try Self.clusterFile(try #require(Fixtures.check(text).spec), "lab")
        #expect(Self.object(plain, "ExternalSecret", "longhorn-crypto") == nil)
        #expect(Self.object(plain, "StorageClass", "replicated")?.at("parameters.encrypted") == nil)
    }

    @Test(
        "Ceph RBD volumes: the StorageClass names ceph-csi-rbd/csi-rbd-secret, an ExternalSecret fills it from the store, and the chart maps the clusterID to the monitors"
    )
    func cephCredentials() throws {
        let text = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml"))
            .replacingOccurrences(
                of: "storage: longhorn }", with: #"storage: ceph-rbd, cephMonitors: ["10.20.0.11:6789", "[fd00::11]:3300"] }"#)
        let spec = try #require(Fixtures.check(text).spec)
        let docs = try Self.clusterFile(spec, "lab")
        let sc = try #require(Self.object(docs, "StorageClass", "replicated"))
        #expect(sc["provisioner"] == "rbd.csi.ceph.com")
        #expect(sc.at("parameters.clusterID") == "lab")
        #expect(sc.at("parameters.encrypted") == "true")
        for step in ["provisioner", "controller-expand", "node-stage"] {
            #expect(sc.at("parameters")?["csi.storage.k8s.io/\(step)-secret-name"] == "csi-rbd-secret", "\(step)")
            #expect(sc.at("parameters")?["csi.storage.k8s.io/\(step)-secret-namespace"] == "ceph-csi-rbd", "\(step)")
        }
        let es = try #require(Self.object(docs, "ExternalSecret", "csi-rbd-secret"))
        #expect(es.at("metadata.namespace") == "ceph-csi-rbd")
        #expect(es.at("spec.target.name") == "csi-rbd-secret")
        #expect(
            es.at("spec.data") == [
                ["secretKey": "userID", "remoteRef": ["key": "lab/ceph-rbd/lab", "property": "userID"]],
                ["secretKey": "userKey", "remoteRef": ["key": "lab/ceph-rbd/lab", "property": "userKey"]],
                ["secretKey": "encryptionPassphrase", "remoteRef": ["key": "lab/ceph-rbd/lab", "property": "encryptionPassphrase"]],
            ])
        let renderer = Renderer(plan: Plan(spec: spec))
        let chart = try #require(renderer.addons(renderer.renderUnits()).first { $0.release.name == "ceph-csi-rbd" })
        #expect(chart.values?["csiConfig"] == [["clusterID": "lab", "monitors": ["10.20.0.11:6789", "[fd00::11]:3300"]]])
        // Unencrypted volumes: the client key only.
        let plain = try #require(
            Fixtures.check(text.replacingOccurrences(of: "  compliance: [soc2]\n", with: "  encryption: { atRest: none }\n")).spec)
        let key = try #require(Self.object(try Self.clusterFile(plain, "lab"), "ExternalSecret", "csi-rbd-secret"))
        #expect(key.at("spec.data")?.arrayValue?.compactMap { $0["secretKey"]?.stringValue } == ["userID", "userKey"])
        // Without the ExternalSecret, the StorageClass's reference does not resolve.
        let files = renderer.renderedFiles().map { f in
            (path: f.path, objects: f.objects.filter { !($0["kind"] == "ExternalSecret" && $0.at("metadata.name") == "csi-rbd-secret") })
        }
        let spaces: [String: Set<String>] = ["lab": ["cert-manager", "ceph-csi-rbd", "external-secrets", "velero", "minio"]]
        #expect(
            ReferenceCheck.run(files: files, addonNamespaces: spaces).map(\.description).contains(
                "lab: StorageClass replicated parameters.csi.storage.k8s.io/controller-expand-secret-name refers to Secret ceph-csi-rbd/csi-rbd-secret, which nothing in the render creates"
            ))
    }

    @Test("the reference check follows the vault issuer's ServiceAccount, the CA Secret and Longhorn's passphrase Secret")
    func referencesFollowed() throws {
        for (example, kind, name, expected) in [
            (
                "onprem", "ServiceAccount", "vault-issuer",
                "lab: ClusterIssuer vault spec.vault.auth.kubernetes.serviceAccountRef refers to ServiceAccount cert-manager/vault-issuer, which nothing in the render creates"
            ),
            (
                "onprem", "ExternalSecret", "longhorn-crypto",
                "lab: StorageClass replicated parameters.csi.storage.k8s.io/node-expand-secret-name refers to Secret longhorn-system/longhorn-crypto, which nothing in the render creates"
            ),
            (
                "onprem-mesh", "ExternalSecret", "lab-ca",
                "lab: ClusterIssuer ca spec.ca.secretName refers to Secret cert-manager/lab-ca, which nothing in the render creates"
            ),
        ] {
            let files = Renderer(plan: Plan(spec: try Self.example(example))).renderedFiles().map { f in
                (
                    path: f.path,
                    objects: f.objects.filter { !($0["kind"]?.stringValue == kind && $0.at("metadata.name")?.stringValue == name) }
                )
            }
            let whole = Renderer(plan: Plan(spec: try Self.example(example))).renderedFiles().map { (path: $0.path, objects: $0.objects) }
            let spaces: [String: Set<String>] = ["lab": ["cert-manager", "longhorn-system", "external-secrets", "velero", "minio"]]
            #expect(
                ReferenceCheck.run(files: whole, addonNamespaces: spaces).filter {
                    $0.cluster == "lab" && ($0.object.hasPrefix("ClusterIssuer") || $0.object.hasPrefix("StorageClass"))
                }.isEmpty)
            let problems = ReferenceCheck.run(files: files, addonNamespaces: spaces).map(\.description)
            #expect(problems.contains(expected), "\(problems)")
        }
    }

    @Test("the Hosting & Network document says which issuer signs, and where the keys come from")
    func document() throws {
        func doc(_ name: String) throws -> String {
            let loaded = try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent("examples/\(name)/platform.yaml").path)
            return DocsTests.markdown(HostingDoc(spec: try #require(loaded.spec), ipPlan: loaded.ipPlan).artifacts())
        }
        let vault = try doc("onprem")
        #expect(
            vault.contains(
                "- TLS certificate management: cert-manager issues one certificate per public host from the `vault` ClusterIssuer (signed by Vault's PKI engine at `https://vault.lab.example:8200`, path `pki_int/sign/lab-example`; cert-manager logs in through Vault's Kubernetes auth method (mount `kubernetes-<cluster>`, role `cert-manager`) with tokens of the ServiceAccount `cert-manager/vault-issuer`, which a Role lets it request), ECDSA P-256 keys rotated on renewal, 90-day certificates renewed 30 days early; minimum TLS 1.2.\n"
            ))
        #expect(
            vault.contains(
                "for volumes (Longhorn: LUKS-encrypted volumes whose passphrase Secret `longhorn-system/longhorn-crypto` an ExternalSecret fills from the secret store entry `lab/longhorn/<cluster>`) and buckets"
            ))
        let ca = try doc("onprem-mesh")
        #expect(
            ca.contains(
                "from the `ca` ClusterIssuer (signed by the on-premises CA in Secret `cert-manager/lab-ca`, which an ExternalSecret copies from the secret store entry `lab/cert-manager/lab-ca`; berth never writes the key)"
            ))
        #expect(!ca.contains("ACME"))
    }

    @Test("berth check: what each issuer needs, located")
    func checks() {
        let base = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml"))
        func errors(_ old: String, _ new: String) -> [String] {
            precondition(base.contains(old), "anchor not found: \(old)")
            return Fixtures.lines(Fixtures.check(base.replacingOccurrences(of: old, with: new), file: "lab.yaml")).filter {
                $0.contains("error:")
            }
        }
        #expect(
            errors("\"https://vault.lab.example:8200\"", "\"ssh://vault.lab.example:8200\"") == [
                "lab.yaml:71:23: error: security.tls.vault.address must be an https:// URL (cert-manager sends a ServiceAccount token to Vault), found 'ssh://vault.lab.example:8200'"
            ])
        #expect(
            errors("    issuer: vault\n", "    issuer: ca\n") == [
                "lab.yaml:70:13: error: issuer ca needs the Secret holding the CA's certificate and key; set security.tls.ca.secret (an ExternalSecret fills it from the secret store)",
                "lab.yaml:71:5: error: security.tls.vault is read only with issuer vault, but security.tls.issuer is ca; remove security.tls.vault or set issuer: vault",
            ])
        #expect(
            errors("  secrets: { store: vault }\n", "").contains(
                "lab.yaml:60:5: error: Longhorn encrypts volumes (security.encryption.atRest: kms) with the passphrase in Secret longhorn-system/longhorn-crypto, which berth fills from the secret store, but security.secrets is not set; set security.secrets.store (entry <platform>/longhorn/<cluster>, property passphrase) or security.encryption.atRest: none"
            ))
    }
}
