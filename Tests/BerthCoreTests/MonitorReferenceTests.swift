import Foundation
import Testing

@testable import BerthCore

/// The reference check follows ServiceMonitors and PodMonitors: each selects, in the namespaces
/// it watches, a Service (pods) with every port its endpoints name. A monitor that selects
/// nothing is not an error to Prometheus: it scrapes nothing and says nothing.
@Suite("Monitor references")
struct MonitorReferenceTests {
    /// `value` with every member `key` whose value is `old` set to `new`, at any depth.
    static func replacing(_ value: JSONValue, _ key: String, _ old: JSONValue, _ new: JSONValue) -> JSONValue {
        switch value {
        case .object(let pairs): .object(pairs.map { k, v in (k, k == key && v == old ? new : replacing(v, key, old, new)) })
        case .array(let items): .array(items.map { replacing($0, key, old, new) })
        default: value
        }
    }

    /// The acme example's plain render, with `change` applied to the object of `kind` and `name`
    /// on prod-eu; the monitor problems the reference check finds in it.
    static func monitorProblems(_ kind: String, _ name: String, _ change: (JSONValue) -> JSONValue) throws -> [String] {
        let url = Fixtures.repoRoot.appendingPathComponent("examples/acme/platform.yaml")
        let spec = try #require(try Pipeline.check(path: url.path).spec)
        let files = Renderer(plan: Plan(spec: spec)).renderedFiles().map { f in
            (
                path: f.path,
                objects: f.objects.map { o in
                    f.path.hasPrefix("prod-eu/") && o["kind"]?.stringValue == kind && o.at("metadata.name")?.stringValue == name
                        ? change(o) : o
                }
            )
        }
        // NGINX Gateway Fabric's namespace is made by its add-on on every cluster.
        let addons = Dictionary(uniqueKeysWithValues: ["prod-eu", "prod-us", "nonprod"].map { ($0, Set(["nginx-gateway"])) })
        return ReferenceCheck.run(files: files, addonNamespaces: addons).map(\.description).filter {
            $0.contains("Monitor ")
        }
    }

    @Test("every ServiceMonitor and PodMonitor of the example selects what it scrapes")
    func examplesResolve() throws {
        #expect(try Self.monitorProblems("", "", { $0 }) == [])
    }

    @Test("a ServiceMonitor naming a port its Service does not have")
    func serviceMonitorPort() throws {
        let problems = try Self.monitorProblems("ServiceMonitor", "api") { Self.replacing($0, "port", "metrics", "metric") }
        #expect(
            problems == [
                "prod-eu: ServiceMonitor acme-production/api spec.endpoints port metric refers to a Service of acme-production labelled {app.kubernetes.io/instance=api-production,app.kubernetes.io/name=api} with a port named metric, which nothing in the render creates"
            ])
    }

    @Test("a PodMonitor selecting pods no controller makes, and one in a namespace that does not exist")
    func podMonitorSelector() throws {
        let wrongPods = try Self.monitorProblems("PodMonitor", "main-pooler-rw") {
            Self.replacing($0, "cnpg.io/poolerName", "main-pooler-rw", "main-pooler-ro")
        }
        #expect(
            wrongPods == [
                "prod-eu: PodMonitor acme-production/main-pooler-rw spec.podMetricsEndpoints port metrics refers to pods of acme-production labelled {cnpg.io/poolerName=main-pooler-ro} with a port named metrics, which nothing in the render creates"
            ])
        let wrongSpace = try Self.monitorProblems("PodMonitor", "gateway-data-plane") { monitor in
            guard case .object(var pairs) = monitor, let i = pairs.firstIndex(where: { $0.0 == "spec" }),
                case .object(let spec) = pairs[i].1
            else { return monitor }
            pairs[i].1 = .object(spec + [("namespaceSelector", ["matchNames": ["acme-elsewhere"]])])
            return .object(pairs)
        }
        #expect(
            wrongSpace == [
                "prod-eu: PodMonitor acme-production/gateway-data-plane spec.namespaceSelector.matchNames refers to Namespace acme-elsewhere, which nothing in the render creates"
            ])
    }
}
