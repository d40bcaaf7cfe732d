import BerthNet
import Foundation

/// What the template's "Deployment Infrastructure" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Deployment Infrastructure".
    func deploymentInfrastructureSummary() -> String {
        if let g = spec.delivery.gitops {
            return
                "Argo CD syncs the rendered output from \(code(g.repo)) (branch \(code(g.branch)), folder \(code(g.path))); \(g.autoSync.isEmpty ? "every environment syncs by hand" : list(g.autoSync.map(\.value)) + " sync automatically, the rest by hand")."
        }
        return
            "No GitOps repository is configured (delivery.gitops): the rendered manifests are applied by whatever deploys the output folder."
    }

    // MARK: GitOps Workflow

    func argoCDConfiguration() -> String {
        guard spec.delivery.gitops != nil else { return "Not configured (delivery.gitops)." }
        return
            "One AppProject \(code(spec.platform)) limited to the platform's repository, clusters and namespaces, and one ApplicationSet per environment that generates an Application per cluster. The cluster add-ons (table below) are Applications of their own AppProject \(code("\(spec.platform)-addons")), limited to the charts' repositories and the add-ons' namespaces; the root application `addons/root.yaml` syncs the add-ons first, then the workload ApplicationSets."
    }

    func applicationManifests() -> String {
        return
            "Each Application points at the environment × cluster kustomize overlay under the rendered folder; overlays hold one folder per service that patches its base (so a change to a service touches only its own files), and `kubectl kustomize` of an overlay gives exactly the plain render."
    }

    func syncPolicies() -> String {
        guard let g = spec.delivery.gitops else { return "Not configured (delivery.gitops)." }
        let auto = g.autoSync.map(\.value)
        let manual = spec.environments.map(\.name).filter { !auto.contains($0) }
        return
            "Automatic for \(list(auto, empty: "no environment"))\(g.prune ? " with prune" : "")\(g.selfHeal ? " and self-heal" : ""); by hand for \(list(manual, empty: "no environment")). Sync waves apply namespaces and cluster config first, then config, then workloads; retries back off from 5 s to 3 min."
    }

    func healthChecks() -> String {
        return
            "Argo CD's built-in health for Deployments, StatefulSets, Services, HPAs and PVCs, cert-manager Certificates and ExternalSecrets; replica counts owned by HPAs are ignored in diffs. `addons/bootstrap/argocd-cm.yaml` adds the health check for Applications, so each sync wave of add-ons is healthy before the next starts."
    }

    /// The tables and diagrams after "GitOps Workflow".
    func gitOpsWorkflowBlocks() -> [DocBlock] {
        // The add-ons the render installs (addons/), from the same list.
        var order: [String] = []
        var byName: [String: [AddonInstance]] = [:]
        for a in addons {
            if byName[a.release.name] == nil { order.append(a.release.name) }
            byName[a.release.name, default: []].append(a)
        }
        guard !order.isEmpty else { return [] }
        let rows: [[String]] = order.compactMap { name in
            guard let list = byName[name], let first = list.first else { return nil }
            return [
                first.release.project, "\(first.release.chart ?? first.release.repoURL) \(first.release.version)",
                first.release.namespace,
                list.map(\.cluster).joined(separator: ", "), String(first.wave), first.reason,
            ]
        }
        return [
            .table(
                header: ["add-on", "chart / source and pinned version", "namespace", "clusters", "sync wave", "why it is there"],
                rows: rows)
        ]
    }

    // MARK: Helm Charts

    func chartStructureAndOrganization() -> String {
        return spec.delivery.helm
            ? "One chart per service under helm/<service>/ (delivery.helm: true): Chart.yaml, values.yaml, a values file per environment x cluster, values.schema.json, templates with _helpers.tpl, NOTES.txt; `helm template` of each gives exactly the plain render."
            : "Not rendered (delivery.helm: false); the kustomize layout is the packaging."
    }

    func valuesManagement() -> String {
        return spec.delivery.helm
            ? "values.yaml holds the value most environments share; values-<environment>-<cluster>.yaml holds only what differs there (replicas, resources, image, hosts, env vars), checked by values.schema.json."
            : "Not applicable: per-environment differences are kustomize patches generated from `overrides`."
    }

    func templateCustomization() -> String {
        return
            "The spec is the only input; charts and overlays are regenerated, never edited, so customization happens in the spec (services.<name>.overrides per environment)."
    }

    func releaseManagement() -> String {
        return
            "A release is a commit of the rendered output; image versions per environment come from the versions file beside the spec (\(spec.versionsFile.map { code(($0 as NSString).lastPathComponent) } ?? "none yet")) and are promoted by editing it. `berth diff` classes every change as safe, disruptive or security-sensitive before it ships."
    }

    // MARK: Container Registry

    func imageStorageAndOrganization() -> String {
        if let r = spec.delivery.registry { return "Every image comes from \(code(r.host)) (checked), one repository per service." }
        return "No registry policy (delivery.registry); images: "
            + list(Array(Set(spec.services.compactMap { ImageRef.parse($0.image.value)?.host })).sorted()) + "."
    }

    func taggingStrategy() -> String {
        return
            "\(spec.delivery.registry?.tags ?? "semver") tags\(spec.delivery.registry?.pinDigests == true ? ", digests pinned in production" : ""); `latest` and other moving tags are refused, and every service has a version in every environment."
    }

    func registryScanning() -> String {
        guard let r = spec.delivery.registry else { return "Not configured (delivery.registry.scan)." }
        return "\(r.scanOnPush ? "Every push is scanned" : "Scanning on push is off"); \(gateText(r))"
    }

    func retentionPolicies() -> String {
        guard let r = spec.delivery.registry else { return "Not configured (delivery.registry.retention)." }
        return
            "The last \(r.keepLast) tagged images per repository are kept; untagged images expire after \(r.untaggedAfter)\(r.immutable ? "; tags are immutable" : "")."
    }

    /// The tables and diagrams after "Container Registry".
    func containerRegistryBlocks() -> [DocBlock] {
        var rows: [[String]] = []
        if let r = spec.delivery.registry {
            rows += [
                ["registry", r.host], ["tags", r.tags + (r.pinDigests ? ", digests in production" : "")],
                ["immutable tags", r.immutable ? "yes" : "no"],
                ["scan on push", r.scanOnPush ? "yes" : "no"],
                [
                    spec.provider.name == .aws
                        ? "deploy-gate severity (recorded in ecr.json, not enforced)" : "Harbor prevents pulls at severity",
                    r.blockSeverity,
                ], ["keep last", "\(r.keepLast)"], ["untagged expire after", r.untaggedAfter.text],
            ]
        }
        if let g = spec.delivery.gitops {
            rows += [
                ["GitOps repository", g.repo], ["branch / folder", "\(g.branch) / \(g.path)"],
                ["automatic sync", g.autoSync.map(\.value).joined(separator: ", ")],
                ["prune / self-heal", "\(g.prune ? "yes" : "no") / \(g.selfHeal ? "yes" : "no")"],
            ]
        }
        return rows.isEmpty ? [] : [.table(header: ["registry and GitOps policy", "value"], rows: rows)]
    }
}
