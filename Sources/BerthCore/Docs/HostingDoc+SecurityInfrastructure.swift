import BerthNet
import Foundation

/// What the template's "Security Infrastructure" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Security Infrastructure".
    func securityInfrastructureSummary() -> String {
        return
            "Pods run under the \(code(spec.security.podSecurity)) Pod Security Standard, teams get namespace roles, secrets come from \(spec.security.secrets.map { code($0.store) } ?? "no external store (security.secrets is not set)"), and data is encrypted at rest with \(spec.security.encryptionAtRest) and in transit with \(spec.security.encryptionInTransit)."
    }

    // MARK: Access Controls

    func roleBasedAccessControl() -> String {
        return
            "Namespace Roles berth-admin, berth-edit and berth-view with explicit verbs and resources (secrets readable by admin only), bound per team and environment as in the matrix below."
    }

    func serviceAccountManagement() -> String {
        let identity: String
        switch spec.provider.name {
        case .aws: identity = "IRSA role `arn:aws:iam::<account>:role/<platform>-<environment>-<service>`"
        case .gcp: identity = "a GKE Workload Identity service account"
        case .azure: identity = "the platform's Azure workload identity"
        case .onprem: identity = "no cloud identity (on premises, bucket credentials come from the secret store)"
        }
        return
            "One ServiceAccount per service per namespace, with token automount off; services that use a bucket get \(identity)\(spec.provider.account.isEmpty && spec.provider.name != .onprem ? " once provider.account is set" : "")."
    }

    func apiKeyManagement() -> String {
        return spec.security.secrets.map {
            "Keys live in \(code($0.store)); ExternalSecrets copy them into the namespace, refreshed hourly, rotated every \($0.rotateEvery)."
        } ?? "No secret store (security.secrets)."
    }

    func certificateManagement() -> String {
        return spec.security.tls.map { "cert-manager with \(code($0.issuer)), renewed 30 days before expiry." }
            ?? "No certificates (security.tls)."
    }

    /// The tables and diagrams after "Access Controls".
    func accessControlsBlocks() -> [DocBlock] {
        return [
            .table(
                header: ["team", "group"] + spec.environments.map(\.name),
                rows: spec.security.teams.map { t in
                    [t.name, t.group] + spec.environments.map { Renderer.role(of: t, in: $0) ?? "—" }
                })
        ]
    }

    // MARK: Data Protection

    func encryptionAtRest() -> String {
        let keyed = !keyedRegions.isEmpty
        let encrypted = spec.provider.name == .onprem && spec.security.encryptionAtRest != "none" && !spec.storage.classes.isEmpty
        let longhorn =
            !encrypted
            ? ""
            : plan.csiDriver == "driver.longhorn.io"
                ? " (Longhorn: LUKS-encrypted volumes whose passphrase Secret `\(Renderer.longhornNamespace)/\(Renderer.longhornCryptoSecret)` an ExternalSecret fills from the secret store entry `\(spec.platform)/longhorn/<cluster>`)"
                : " (Ceph RBD: LUKS-encrypted images whose passphrase ceph-csi reads as `encryptionPassphrase` from Secret `\(Renderer.cephNamespace)/\(Renderer.cephSecret)`, which an ExternalSecret fills from the secret store entry `\(spec.platform)/ceph-rbd/<cluster>`)"
        return
            "\(spec.security.encryptionAtRest) (security.encryption.atRest) for volumes\(keyed ? " with each region's own key" : "")\(longhorn) and buckets ("
            + list(spec.buckets.map { "\($0.name): \($0.encryption)" }) + ")."
    }

    func encryptionInTransit() -> String {
        return
            "TLS \(spec.security.tls?.minVersion ?? "1.2")+ at the edge; \(spec.security.encryptionInTransit == "mtls" ? "mTLS between pods through the mesh" : "plain inside the cluster behind NetworkPolicies (security.encryption.inTransit: mtls with a mesh changes that)"); bucket access requires TLS."
    }

    func keyManagement() -> String {
        let keys = keyedRegions
        return keys.isEmpty
            ? "Provider-managed keys (no provider.regions.<region>.kmsKey is set)."
            : "One customer key per region, since keys are regional: " + list(keys.map { "\($0.name) \(code($0.kmsKey))" })
                + ". Each cluster's storage classes use its region's key; buckets and backups use the key of the region that stores them."
    }

    func dataLossPrevention() -> String {
        return
            "Backups with retention, versioned buckets (\(list(spec.buckets.filter { $0.versioning && facts.versionedBuckets.contains($0.name) }.map(\.name)))), volumes retained on delete for \(list(spec.storage.classes.filter { $0.reclaim == "Retain" }.map(\.name))), and secrets never in the spec or the output."
    }

    // MARK: Compliance

    func regulatoryRequirements() -> String {
        return spec.security.compliance.isEmpty
            ? "None declared (security.compliance)."
            : list(spec.security.compliance)
                + (spec.security.requiredBackupRetention.map { "; backups kept at least \($0.0) (\($0.1))" } ?? "") + "."
    }

    func auditLogging() -> String {
        if spec.provider.name == .gcp {
            return
                "Kubernetes API audit by GKE (Cloud Audit Logs: Admin Activity always on, Data Access as enabled for the project); GKE takes no audit policy file. Keep the log bucket's retention at \(spec.security.auditRetention) or more (security.audit.retention); Admin Activity logs are kept 400 days by default."
        }
        return
            "Kubernetes API audit at level \(spec.security.auditLevel), kept \(spec.security.auditRetention) (audit/<cluster>.audit-policy.yaml for the API server's --audit-policy-file; secrets and config maps are never logged above Metadata)."
    }

    func complianceScanning() -> String {
        return
            "Images scanned in the registry\(spec.delivery.registry?.scanOnPush == true ? " on push" : ""); `berth audit` checks the platform and its rendered objects (network exposure, workload hardening, RBAC breadth, secrets, encryption, backup, zone blast radius) with \(Audit.run(spec, plan: plan, files: facts.files).count) finding(s) now, and exits 1 on a finding at or above `--fail-on` (high by default)."
    }

    func vulnerabilityManagement() -> String {
        let gates = facts.admissionGates
        return
            (gates.isEmpty
            ? "Nothing rendered refuses a deployment (no admission policy): the gate is `berth audit`, which exits 1 on a finding at or above `--fail-on`, and CI should run it before the render is applied. "
            : "Admission objects rendered: \(list(gates)). ")
            + (spec.delivery.registry.map { gateText($0) + " " } ?? "")
            + "Base images are updated by bumping versions in the versions file."
    }
}
