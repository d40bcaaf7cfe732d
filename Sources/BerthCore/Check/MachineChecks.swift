/// Machine types of AWS and Azure node pools, by the provider's naming scheme
/// (`provider-machine`, a warning as on Google Cloud, where `gcpLimits` checks them): a name
/// outside the scheme is refused when the node group or pool is created, and `berth cost`
/// cannot price it.
extension PlatformChecks {
    /// EC2 instance sizes: a fixed word, `<n>xlarge`, or a bare-metal size.
    static let awsSizes: Set<String> = ["nano", "micro", "small", "medium", "large", "xlarge", "metal"]

    /// What is wrong with `machine` as an EC2 instance type (nil: nothing): `<family>.<size>`,
    /// the family a series letter, a generation digit and option letters (`m6i`, `c7gn`,
    /// `r6id`, `x2iedn`), or a high-memory `u-<n>tb1` family.
    public static func awsMachineProblem(_ machine: String) -> String? {
        let parts = machine.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let scheme = "not an EC2 instance type (<family>.<size>, for example m6i.large or c7g.2xlarge)"
        guard parts.count == 2 else { return scheme }
        let family = Array(parts[0].utf8)
        let lower = { (b: UInt8) in (0x61...0x7a).contains(b) }
        let digit = { (b: UInt8) in (0x30...0x39).contains(b) }
        let series = family.prefix { lower($0) }
        let generation = family.dropFirst(series.count).prefix { digit($0) }
        let options = family.dropFirst(series.count + generation.count)
        let plain = !series.isEmpty && !generation.isEmpty && options.allSatisfy { lower($0) || $0 == UInt8(ascii: "-") }
        let highMemory = parts[0].hasPrefix("u-") && parts[0].hasSuffix("tb1")
        guard plain || highMemory else { return scheme }
        let size = parts[1]
        if awsSizes.contains(size) { return nil }
        if size.hasSuffix("xlarge"), let n = Int(size.dropLast(6)), n > 1 { return nil }
        if size.hasPrefix("metal-"), size.hasSuffix("xl"), Int(size.dropFirst(6).dropLast(2)) != nil { return nil }
        return "'\(size)' is not an EC2 instance size (nano, micro, small, medium, large, xlarge, <n>xlarge, metal)"
    }

    /// What is wrong with `machine` as an Azure VM size (nil: nothing):
    /// `Standard_<family><vCPUs>[<n>][<features>][_<accelerator>][_v<version>]`, for example
    /// `Standard_D4s_v5`, `Standard_E8-4ds_v5`, `Standard_NC24ads_A100_v4`, `Standard_B2ms`.
    public static func azureMachineProblem(_ machine: String) -> String? {
        let scheme =
            "not an Azure VM size (Standard_<family><vCPUs><features>_v<version>, for example Standard_D4s_v5 or Standard_E8ds_v5)"
        guard machine.hasPrefix("Standard_") || machine.hasPrefix("Basic_") else { return scheme }
        let parts = machine.split(separator: "_", omittingEmptySubsequences: false).dropFirst().map { Array($0.utf8) }
        guard let core = parts.first else { return scheme }
        let upper = { (b: UInt8) in (0x41...0x5a).contains(b) }
        let lower = { (b: UInt8) in (0x61...0x7a).contains(b) }
        let digit = { (b: UInt8) in (0x30...0x39).contains(b) }
        let family = core.prefix { upper($0) }
        let vcpus = core.dropFirst(family.count).prefix { digit($0) }
        var rest = core.dropFirst(family.count + vcpus.count)
        // constrained vCPU sizes: E8-4ds_v5
        if rest.first == UInt8(ascii: "-") {
            let constrained = rest.dropFirst().prefix { digit($0) }
            guard !constrained.isEmpty else { return scheme }
            rest = rest.dropFirst(1 + constrained.count)
        }
        guard (1...3).contains(family.count), !vcpus.isEmpty, rest.allSatisfy({ lower($0) }) else { return scheme }
        for (i, p) in parts.dropFirst().enumerated() {
            let version = p.first == UInt8(ascii: "v") && p.count > 1 && p.dropFirst().allSatisfy { digit($0) }
            let accelerator = !p.isEmpty && p.allSatisfy { upper($0) || digit($0) }
            guard version ? i == parts.count - 2 : accelerator else { return scheme }
        }
        return nil
    }

    /// `provider-machine` warnings for the node pools of an AWS or Azure spec, at each pool.
    public static func machineTypes(_ spec: Spec) -> [Diagnostic] {
        let problem: (String) -> String?
        switch spec.provider.name {
        case .aws: problem = awsMachineProblem
        case .azure: problem = azureMachineProblem
        case .gcp, .onprem: return []
        }
        return machineFindings(spec, problem: problem)
    }
}
