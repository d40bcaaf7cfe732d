/// The catalogue of the Hosting & Network document. The template (`HostingTemplate.text`) is
/// the one outline: the generator walks its headings and bullets, and the one table here says
/// what fills them: per chapter (`##`) the summary under its heading, per section (`###`) that
/// has them the tables and diagrams after its bullets, and per bullet the function that answers
/// it. A row names its place in the template as `chapter / section / bullet` (a bullet's words
/// alone are not enough: "Load distribution" stands in two sections). The functions stay beside
/// the others of their chapter (`HostingDoc+<Chapter>.swift`). Adding a bullet to the template is
/// adding one row; `gaps(template:)` names any place without a row and any row without a place.
extension HostingDoc {
    /// What fills one place of the template: the text of a chapter's summary or of a bullet's
    /// answer, or the tables and diagrams that end a section.
    enum Fill: Sendable {
        /// A chapter's summary or a bullet's answer.
        case text(@Sendable (HostingDoc) -> String)
        /// The tables and diagrams after a section's bullets.
        case blocks(@Sendable (HostingDoc) -> [DocBlock])
    }
    /// One row of the catalogue: the place in the template, as `place(_:)` writes it, and what fills it.
    typealias Row = (place: String, fill: Fill)

    /// The place of a chapter, a section of it, or a bullet of that: the titles joined by ` / `.
    static func place(_ titles: String...) -> String { titles.joined(separator: " / ") }

    /// The catalogue, in the template's order: every chapter's summary (the paragraph that
    /// replaces its `TODO` line), the blocks of the sections that have them, every bullet's answer.
    static let catalogue: [Row] = [
        ("Hosting Environment", .text { $0.hostingEnvironmentSummary() }),
        ("Hosting Environment / Kubernetes Cluster", .blocks { $0.kubernetesClusterBlocks() }),
        ("Hosting Environment / Kubernetes Cluster / Cluster architecture and topology", .text { $0.clusterArchitectureAndTopology() }),
        ("Hosting Environment / Kubernetes Cluster / Node pool configuration", .text { $0.nodePoolConfiguration() }),
        ("Hosting Environment / Kubernetes Cluster / Resource allocation and limits", .text { $0.resourceAllocationAndLimits() }),
        ("Hosting Environment / Kubernetes Cluster / High availability setup", .text { $0.highAvailabilitySetup() }),
        ("Hosting Environment / Cloud Provider", .blocks { $0.cloudProviderBlocks() }),
        ("Hosting Environment / Cloud Provider / Provider selection rationale", .text { $0.providerSelectionRationale() }),
        ("Hosting Environment / Cloud Provider / Region and zone distribution", .text { $0.regionAndZoneDistribution() }),
        ("Hosting Environment / Cloud Provider / Service integration", .text { $0.serviceIntegration() }),
        ("Hosting Environment / Cloud Provider / Cost optimization strategies", .text { $0.costOptimizationStrategies() }),
        ("Hosting Environment / On-Premises Considerations / Hardware requirements", .text { $0.hardwareRequirements() }),
        ("Hosting Environment / On-Premises Considerations / Network infrastructure", .text { $0.networkInfrastructure() }),
        ("Hosting Environment / On-Premises Considerations / Storage systems", .text { $0.storageSystems() }),
        ("Hosting Environment / On-Premises Considerations / Backup and disaster recovery", .text { $0.backupAndDisasterRecovery() }),
        ("Networking Configuration", .text { $0.networkingConfigurationSummary() }),
        ("Networking Configuration / Service Communication", .blocks { $0.serviceCommunicationBlocks() }),
        ("Networking Configuration / Service Communication / Internal service discovery", .text { $0.internalServiceDiscovery() }),
        ("Networking Configuration / Service Communication / DNS configuration", .text { $0.dnsConfiguration() }),
        ("Networking Configuration / Service Communication / Service mesh (if applicable)", .text { $0.serviceMesh() }),
        ("Networking Configuration / Service Communication / Load balancing strategies", .text { $0.loadBalancingStrategies() }),
        ("Networking Configuration / External Access", .blocks { $0.externalAccessBlocks() }),
        ("Networking Configuration / External Access / Ingress controller configuration", .text { $0.ingressControllerConfiguration() }),
        ("Networking Configuration / External Access / TLS certificate management", .text { $0.tlsCertificateManagement() }),
        ("Networking Configuration / External Access / Domain name setup", .text { $0.domainNameSetup() }),
        ("Networking Configuration / External Access / CDN integration (if applicable)", .text { $0.cdnIntegration() }),
        ("Networking Configuration / Network Security", .blocks { $0.networkSecurityBlocks() }),
        ("Networking Configuration / Network Security / Firewall rules", .text { $0.firewallRules() }),
        ("Networking Configuration / Network Security / Network policies", .text { $0.networkPolicies() }),
        ("Networking Configuration / Network Security / DDoS protection", .text { $0.ddosProtection() }),
        ("Networking Configuration / Network Security / Intrusion detection systems", .text { $0.intrusionDetectionSystems() }),
        ("Networking Configuration / IP Address Management", .blocks { $0.ipAddressManagementBlocks() }),
        ("Networking Configuration / IP Address Management / Static IP allocation", .text { $0.staticIPAllocation() }),
        ("Networking Configuration / IP Address Management / Dynamic IP assignment", .text { $0.dynamicIPAssignment() }),
        ("Networking Configuration / IP Address Management / IP range planning", .text { $0.ipRangePlanning() }),
        ("Networking Configuration / IP Address Management / Address conservation", .text { $0.addressConservation() }),
        ("Storage Infrastructure", .text { $0.storageInfrastructureSummary() }),
        ("Storage Infrastructure / Persistent Storage", .blocks { $0.persistentStorageBlocks() }),
        ("Storage Infrastructure / Persistent Storage / Volume provisioning", .text { $0.volumeProvisioning() }),
        ("Storage Infrastructure / Persistent Storage / Storage class configuration", .text { $0.storageClassConfiguration() }),
        ("Storage Infrastructure / Persistent Storage / Backup and snapshot policies", .text { $0.backupAndSnapshotPolicies() }),
        ("Storage Infrastructure / Persistent Storage / Performance tuning", .text { $0.volumePerformanceTuning() }),
        ("Storage Infrastructure / File Storage", .blocks { $0.fileStorageBlocks() }),
        ("Storage Infrastructure / File Storage / S3-compatible storage", .text { $0.s3CompatibleStorage() }),
        ("Storage Infrastructure / File Storage / Access patterns and permissions", .text { $0.accessPatternsAndPermissions() }),
        ("Storage Infrastructure / File Storage / Lifecycle management", .text { $0.lifecycleManagement() }),
        ("Storage Infrastructure / File Storage / Cost optimization", .text { $0.costOptimization() }),
        ("Storage Infrastructure / Database Storage", .blocks { $0.databaseStorageBlocks() }),
        ("Storage Infrastructure / Database Storage / PostgreSQL storage configuration", .text { $0.postgreSQLStorageConfiguration() }),
        ("Storage Infrastructure / Database Storage / Backup storage locations", .text { $0.backupStorageLocations() }),
        ("Storage Infrastructure / Database Storage / Archive storage", .text { $0.archiveStorage() }),
        ("Storage Infrastructure / Database Storage / Replication storage", .text { $0.replicationStorage() }),
        ("Deployment Infrastructure", .text { $0.deploymentInfrastructureSummary() }),
        ("Deployment Infrastructure / GitOps Workflow", .blocks { $0.gitOpsWorkflowBlocks() }),
        ("Deployment Infrastructure / GitOps Workflow / ArgoCD configuration", .text { $0.argoCDConfiguration() }),
        ("Deployment Infrastructure / GitOps Workflow / Application manifests", .text { $0.applicationManifests() }),
        ("Deployment Infrastructure / GitOps Workflow / Sync policies", .text { $0.syncPolicies() }),
        ("Deployment Infrastructure / GitOps Workflow / Health checks", .text { $0.healthChecks() }),
        ("Deployment Infrastructure / Helm Charts / Chart structure and organization", .text { $0.chartStructureAndOrganization() }),
        ("Deployment Infrastructure / Helm Charts / Values management", .text { $0.valuesManagement() }),
        ("Deployment Infrastructure / Helm Charts / Template customization", .text { $0.templateCustomization() }),
        ("Deployment Infrastructure / Helm Charts / Release management", .text { $0.releaseManagement() }),
        ("Deployment Infrastructure / Container Registry", .blocks { $0.containerRegistryBlocks() }),
        ("Deployment Infrastructure / Container Registry / Image storage and organization", .text { $0.imageStorageAndOrganization() }),
        ("Deployment Infrastructure / Container Registry / Tagging strategy", .text { $0.taggingStrategy() }),
        ("Deployment Infrastructure / Container Registry / Security scanning", .text { $0.registryScanning() }),
        ("Deployment Infrastructure / Container Registry / Retention policies", .text { $0.retentionPolicies() }),
        ("Environment Topology", .text { $0.environmentTopologySummary() }),
        ("Environment Topology / Development Environment / Local development setup", .text { $0.localDevelopmentSetup() }),
        ("Environment Topology / Development Environment / Development cluster", .text { $0.developmentCluster() }),
        ("Environment Topology / Development Environment / Resource allocation", .text { $0.resourceAllocation() }),
        ("Environment Topology / Development Environment / Access controls", .text { $0.accessControls() }),
        ("Environment Topology / Staging Environment / Pre-production testing", .text { $0.preProductionTesting() }),
        ("Environment Topology / Staging Environment / Production-like configuration", .text { $0.productionLikeConfiguration() }),
        ("Environment Topology / Staging Environment / Data isolation", .text { $0.dataIsolation() }),
        ("Environment Topology / Staging Environment / Performance testing", .text { $0.performanceTesting() }),
        ("Environment Topology / Production Environment", .blocks { $0.productionEnvironmentBlocks() }),
        ("Environment Topology / Production Environment / High availability configuration", .text { $0.highAvailabilityConfiguration() }),
        ("Environment Topology / Production Environment / Load distribution", .text { $0.productionLoadDistribution() }),
        ("Environment Topology / Production Environment / Monitoring and alerting", .text { $0.monitoringAndAlerting() }),
        ("Environment Topology / Production Environment / Disaster recovery", .text { $0.disasterRecovery() }),
        ("Scaling and Performance", .text { $0.scalingAndPerformanceSummary() }),
        ("Scaling and Performance / Horizontal Scaling", .blocks { $0.horizontalScalingBlocks() }),
        ("Scaling and Performance / Horizontal Scaling / Auto-scaling policies", .text { $0.autoScalingPolicies() }),
        ("Scaling and Performance / Horizontal Scaling / Resource quotas", .text { $0.resourceQuotas() }),
        ("Scaling and Performance / Horizontal Scaling / Node pool management", .text { $0.nodePoolManagement() }),
        ("Scaling and Performance / Horizontal Scaling / Load distribution", .text { $0.horizontalLoadDistribution() }),
        ("Scaling and Performance / Vertical Scaling / Resource limit adjustments", .text { $0.resourceLimitAdjustments() }),
        ("Scaling and Performance / Vertical Scaling / Performance tuning", .text { $0.verticalPerformanceTuning() }),
        ("Scaling and Performance / Vertical Scaling / Capacity planning", .text { $0.capacityPlanning() }),
        ("Scaling and Performance / Vertical Scaling / Bottleneck identification", .text { $0.bottleneckIdentification() }),
        ("Scaling and Performance / Network Scaling / Bandwidth management", .text { $0.bandwidthManagement() }),
        ("Scaling and Performance / Network Scaling / Connection pooling", .text { $0.connectionPooling() }),
        ("Scaling and Performance / Network Scaling / Latency optimization", .text { $0.latencyOptimization() }),
        ("Scaling and Performance / Network Scaling / Throughput optimization", .text { $0.throughputOptimization() }),
        ("Security Infrastructure", .text { $0.securityInfrastructureSummary() }),
        ("Security Infrastructure / Access Controls", .blocks { $0.accessControlsBlocks() }),
        ("Security Infrastructure / Access Controls / Role-based access control", .text { $0.roleBasedAccessControl() }),
        ("Security Infrastructure / Access Controls / Service account management", .text { $0.serviceAccountManagement() }),
        ("Security Infrastructure / Access Controls / API key management", .text { $0.apiKeyManagement() }),
        ("Security Infrastructure / Access Controls / Certificate management", .text { $0.certificateManagement() }),
        ("Security Infrastructure / Data Protection / Encryption at rest", .text { $0.encryptionAtRest() }),
        ("Security Infrastructure / Data Protection / Encryption in transit", .text { $0.encryptionInTransit() }),
        ("Security Infrastructure / Data Protection / Key management", .text { $0.keyManagement() }),
        ("Security Infrastructure / Data Protection / Data loss prevention", .text { $0.dataLossPrevention() }),
        ("Security Infrastructure / Compliance / Regulatory requirements", .text { $0.regulatoryRequirements() }),
        ("Security Infrastructure / Compliance / Audit logging", .text { $0.auditLogging() }),
        ("Security Infrastructure / Compliance / Security scanning", .text { $0.complianceScanning() }),
        ("Security Infrastructure / Compliance / Vulnerability management", .text { $0.vulnerabilityManagement() }),
    ]

    /// The catalogue by place; of two rows with one place the first counts (`duplicatePlaces` names them).
    private static let index = Dictionary(catalogue.map { ($0.place, $0.fill) }, uniquingKeysWith: { first, _ in first })

    /// What a bullet without a row says; the catalogue test keeps it out of the document.
    static let unanswered = "Not covered by the spec yet."

    /// The text a row gives for a chapter or a bullet, nil without one.
    private func text(_ place: String) -> String? {
        guard case .text(let fill)? = Self.index[place] else { return nil }
        return fill(self)
    }

    func summary(_ h2: String) -> String { text(h2) ?? "" }

    func answer(_ h2: String, _ h3: String, _ bullet: String) -> String { text(Self.place(h2, h3, bullet)) ?? Self.unanswered }

    func blocks(_ h2: String, _ h3: String) -> [DocBlock] {
        guard case .blocks(let fill)? = Self.index[Self.place(h2, h3)] else { return [] }
        return fill(self)
    }

    /// The places of `template`, in its order: its chapters, its sections and its bullets.
    static func places(template: String) -> (chapters: [String], sections: [String], bullets: [String]) {
        var out: (chapters: [String], sections: [String], bullets: [String]) = ([], [], [])
        var h2 = ""
        var h3 = ""
        for line in HostingTemplate.lines(template) {
            switch line {
            case .chapter(let title):
                h2 = title
                h3 = ""
                out.chapters.append(h2)
            case .section(let title):
                h3 = title
                out.sections.append(place(h2, h3))
            case .bullet(let label): out.bullets.append(place(h2, h3, label))
            default: break
            }
        }
        return out
    }

    /// The chapters and bullets of `template` that no text row fills, and the rows that fill no
    /// place of it (text for no chapter or bullet, blocks for no section).
    static func gaps(template: String, catalogue: [Row] = catalogue) -> (unanswered: [String], unused: [String]) {
        let asked = places(template: template)
        let texts = Set(asked.chapters + asked.bullets)
        let sections = Set(asked.sections)
        var filled: Set<String> = []
        var unused: [String] = []
        for row in catalogue {
            switch row.fill {
            case .text where texts.contains(row.place): filled.insert(row.place)
            case .blocks where sections.contains(row.place): break
            default: unused.append(row.place)
            }
        }
        return ((asked.chapters + asked.bullets).filter { !filled.contains($0) }, unused)
    }

    /// The places with more than one row, in catalogue order.
    static func duplicatePlaces(_ catalogue: [Row] = catalogue) -> [String] {
        let places = catalogue.map(\.place)
        return places.enumerated().filter { i, p in places[..<i].contains(p) }.map(\.element)
    }
}
