import BerthCore
import Foundation
import Testing

/// `provider-machine` on AWS and Azure: machine types outside the provider's naming scheme are
/// warned about at the node pool's line; the examples' machines pass.
@Suite("Machine types")
struct MachineCheckTests {
    static func spec(provider: String, region: String, zones: String, machine: String) -> String {
        """
        berth: 1
        platform: shop
        provider:
          name: \(provider)
          regions:
            \(region): { zones: \(zones) }
        clusters:
          main:
            region: \(region)
            nodePools:
              general: { machine: \(machine), cpu: 2, memory: 8Gi, min: 2, max: 4 }
        environments:
          production: { clusters: [main], domain: shop.example }
        services:
          web:
            image: registry.shop.example/web:1.0.0
            port: 8080
            replicas: { min: 2, max: 4 }

        """
    }

    static func machineWarnings(_ text: String) -> [String] {
        Fixtures.lines(Fixtures.check(text, file: "spec.yaml")).filter { $0.contains("machine type") }
    }

    @Test("an EC2 instance type outside <family>.<size>, at the pool's line")
    func aws() {
        #expect(
            Self.machineWarnings(Self.spec(provider: "aws", region: "eu-west-1", zones: "[eu-west-1a, eu-west-1b]", machine: "m6i.huge"))
                == [
                    "spec.yaml:11:7: warning: machine type 'm6i.huge' of node pool 'general' (cluster 'main'): 'huge' is not an EC2 instance size (nano, micro, small, medium, large, xlarge, <n>xlarge, metal)"
                ])
        #expect(
            Self.machineWarnings(
                Self.spec(provider: "aws", region: "eu-west-1", zones: "[eu-west-1a, eu-west-1b]", machine: "n2-standard-4")) == [
                    "spec.yaml:11:7: warning: machine type 'n2-standard-4' of node pool 'general' (cluster 'main'): not an EC2 instance type (<family>.<size>, for example m6i.large or c7g.2xlarge)"
                ])
        for ok in [
            "m6i.large", "c7gn.2xlarge", "x2iedn.xlarge", "inf2.48xlarge", "u-6tb1.metal", "m7i-flex.large", "r7iz.metal-16xl", "t3.micro",
        ] {
            #expect(PlatformChecks.awsMachineProblem(ok) == nil, "\(ok)")
        }
        for bad in ["m6i", "m6i.1xlarge", "6i.large", "M6i.large", "m.large", "m6i.large.x"] {
            #expect(PlatformChecks.awsMachineProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("an Azure VM size outside Standard_<family><vCPUs>..., at the pool's line")
    func azure() {
        #expect(
            Self.machineWarnings(Self.spec(provider: "azure", region: "westeurope", zones: "[\"1\", \"2\"]", machine: "D4s_v5")) == [
                "spec.yaml:11:7: warning: machine type 'D4s_v5' of node pool 'general' (cluster 'main'): not an Azure VM size (Standard_<family><vCPUs><features>_v<version>, for example Standard_D4s_v5 or Standard_E8ds_v5)"
            ])
        for ok in [
            "Standard_D4s_v5", "Standard_E8-4ds_v5", "Standard_NC24ads_A100_v4", "Standard_B2ms", "Standard_M416ms_v2",
            "Standard_HB120rs_v3",
        ] {
            #expect(PlatformChecks.azureMachineProblem(ok) == nil, "\(ok)")
        }
        for bad in ["Standard_D4sv5", "Standard_d4s_v5", "Standard_D_v5", "Standard_D4s_v5_A100", "Standard_D4s_", "standard_D4s_v5"] {
            #expect(PlatformChecks.azureMachineProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("every example's machine types pass")
    func examples() {
        for name in ["acme", "gcp", "azure", "twin"] {
            let url = Fixtures.repoRoot.appendingPathComponent("examples/\(name)/platform.yaml")
            #expect(Self.machineWarnings(Fixtures.text(url)) == [], "\(name)")
        }
    }
}
