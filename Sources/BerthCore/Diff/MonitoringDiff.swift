/// How a change to the monitoring objects can hurt: an alert that no longer exists cannot
/// page, and a loosened objective lets more failures through before anyone is told.
extension PlatformDiff {
    /// The alert names of a PrometheusRule.
    static func alertNames(_ rule: JSONValue) -> Set<String> {
        var out: Set<String> = []
        for g in rule.at("spec.groups")?.arrayValue ?? [] {
            for r in g["rules"]?.arrayValue ?? [] {
                if let a = r["alert"]?.stringValue { out.insert(a) }
            }
        }
        return out
    }

    /// The objectives of a PrometheusRule by SLO name (the `slo:objective:ratio` recordings).
    static func objectives(_ rule: JSONValue) -> [String: Double] {
        var out: [String: Double] = [:]
        for g in rule.at("spec.groups")?.arrayValue ?? [] {
            for r in g["rules"]?.arrayValue ?? [] where r["record"]?.stringValue == "slo:objective:ratio" {
                guard let slo = r.at("labels.slo")?.stringValue, let expr = r["expr"]?.stringValue,
                    expr.hasPrefix("vector("), expr.hasSuffix(")"), let v = Double(expr.dropFirst(7).dropLast())
                else { continue }
                out[slo] = v
            }
        }
        return out
    }

    /// Reasons a removed PrometheusRule is risky: the alerts it held.
    static func monitoringRemoved(_ o: JSONValue) -> [String] {
        let alerts = alertNames(o)
        return alerts.isEmpty ? [] : ["alerts removed: " + alerts.sorted().joined(separator: ", ")]
    }

    /// Reasons a changed PrometheusRule is risky: alerts gone, objectives lowered or dropped.
    static func monitoringChanged(_ o: JSONValue, _ n: JSONValue) -> [String] {
        var out: [String] = []
        let gone = alertNames(o).subtracting(alertNames(n))
        if !gone.isEmpty { out.append("alerts removed: " + gone.sorted().joined(separator: ", ")) }
        let a = objectives(o)
        let b = objectives(n)
        for slo in a.keys.sorted() {
            guard let before = a[slo] else { continue }
            if let after = b[slo] {
                if after < before { out.append("SLO \(slo) loosened from \(before) to \(after)") }
            } else {
                out.append("SLO \(slo) removed")
            }
        }
        return out
    }
}
