extension PlatformChecks {
    /// `addons.<name>`: the name is an add-on berth installs, and an overriding version is
    /// exact (dotted numbers) and not older than the first version serving every API berth
    /// writes for that add-on (`AddonVersions.served`).
    public static func addons(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let known = AddonVersions.releases.map(\.name).sorted()
        for e in spec.root["addons"]?.entries ?? [] {
            guard known.contains(e.key) else {
                out.append(
                    .error(
                        .addonUnknown, "addons.\(e.key) is not an add-on berth installs; known: \(known.joined(separator: ", "))",
                        at: e.keyLocation))
                continue
            }
            guard let node = e.node["version"], let v = node.string, !v.isEmpty else { continue }
            let needs = AddonVersions.served.filter { $0.value.addon == e.key }.sorted { $0.key < $1.key }
            guard AddonVersions.compare(v, v) != nil else {
                out.append(
                    .error(
                        .addonVersion,
                        "addons.\(e.key).version \(v) is not an exact version (dotted numbers, e.g. \(AddonVersions.release(e.key)?.version ?? "1.2.3"))",
                        at: node.location))
                continue
            }
            if let (api, served) = needs.first(where: { (AddonVersions.compare(v, $0.value.minimum) ?? 0) < 0 }) {
                out.append(
                    .error(
                        .addonVersion,
                        "addons.\(e.key).version \(v) is older than \(served.minimum), the first \(e.key) version serving \(api), which berth writes",
                        at: node.location))
            }
        }
        return out
    }
}
