import Foundation

/// The Hosting & Network template berth answers, verbatim. The generator walks it line by
/// line: headings are kept, each `TODO` line becomes the section's summary, each bullet gets
/// an answer from the spec, and the closing line is kept.
enum HostingTemplate {
    static let text = #"""
        # Hosting & Network

        This document describes the hosting environment, networking configuration, and deployment infrastructure.

        ## Hosting Environment

        TODO: Document the hosting platform

        ### Kubernetes Cluster

        - Cluster architecture and topology
        - Node pool configuration
        - Resource allocation and limits
        - High availability setup

        ### Cloud Provider

        - Provider selection rationale
        - Region and zone distribution
        - Service integration
        - Cost optimization strategies

        ### On-Premises Considerations

        - Hardware requirements
        - Network infrastructure
        - Storage systems
        - Backup and disaster recovery

        ## Networking Configuration

        TODO: Document networking setup

        ### Service Communication

        - Internal service discovery
        - DNS configuration
        - Service mesh (if applicable)
        - Load balancing strategies

        ### External Access

        - Ingress controller configuration
        - TLS certificate management
        - Domain name setup
        - CDN integration (if applicable)

        ### Network Security

        - Firewall rules
        - Network policies
        - DDoS protection
        - Intrusion detection systems

        ### IP Address Management

        - Static IP allocation
        - Dynamic IP assignment
        - IP range planning
        - Address conservation

        ## Storage Infrastructure

        TODO: Document storage solutions

        ### Persistent Storage

        - Volume provisioning
        - Storage class configuration
        - Backup and snapshot policies
        - Performance tuning

        ### File Storage

        - S3-compatible storage
        - Access patterns and permissions
        - Lifecycle management
        - Cost optimization

        ### Database Storage

        - PostgreSQL storage configuration
        - Backup storage locations
        - Archive storage
        - Replication storage

        ## Deployment Infrastructure

        TODO: Document deployment systems

        ### GitOps Workflow

        - ArgoCD configuration
        - Application manifests
        - Sync policies
        - Health checks

        ### Helm Charts

        - Chart structure and organization
        - Values management
        - Template customization
        - Release management

        ### Container Registry

        - Image storage and organization
        - Tagging strategy
        - Security scanning
        - Retention policies

        ## Environment Topology

        TODO: Document environment setup

        ### Development Environment

        - Local development setup
        - Development cluster
        - Resource allocation
        - Access controls

        ### Staging Environment

        - Pre-production testing
        - Production-like configuration
        - Data isolation
        - Performance testing

        ### Production Environment

        - High availability configuration
        - Load distribution
        - Monitoring and alerting
        - Disaster recovery

        ## Scaling and Performance

        TODO: Document scaling approaches

        ### Horizontal Scaling

        - Auto-scaling policies
        - Resource quotas
        - Node pool management
        - Load distribution

        ### Vertical Scaling

        - Resource limit adjustments
        - Performance tuning
        - Capacity planning
        - Bottleneck identification

        ### Network Scaling

        - Bandwidth management
        - Connection pooling
        - Latency optimization
        - Throughput optimization

        ## Security Infrastructure

        TODO: Document security measures

        ### Access Controls

        - Role-based access control
        - Service account management
        - API key management
        - Certificate management

        ### Data Protection

        - Encryption at rest
        - Encryption in transit
        - Key management
        - Data loss prevention

        ### Compliance

        - Regulatory requirements
        - Audit logging
        - Security scanning
        - Vulnerability management

        For monitoring details, see [Monitoring & Logging](./monitoring.md).
        """#
}

extension HostingTemplate {
    /// One line of the template, as the generator reads it.
    enum Line: Equatable {
        /// `# ` the document's title.
        case title(String)
        /// `## ` a chapter.
        case chapter(String)
        /// `### ` a section of the chapter.
        case section(String)
        /// `TODO` the chapter's summary goes here.
        case todo
        /// `- ` a bullet to answer.
        case bullet(String)
        /// The closing line that links the monitoring document.
        case closing(String)
        /// Any other text (the introduction).
        case text(String)
    }

    /// The lines of `text` that are not blank, classified.
    static func lines(_ text: String) -> [Line] {
        text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { raw in
            let line = String(raw)
            if line.hasPrefix("### ") { return .section(String(line.dropFirst(4))) }
            if line.hasPrefix("## ") { return .chapter(String(line.dropFirst(3))) }
            if line.hasPrefix("# ") { return .title(String(line.dropFirst(2))) }
            if line.hasPrefix("TODO") { return .todo }
            if line.hasPrefix("- ") { return .bullet(String(line.dropFirst(2))) }
            if line.hasPrefix("For monitoring details") { return .closing(line) }
            return line.trimmingCharacters(in: .whitespaces).isEmpty ? nil : .text(line)
        }
    }
}
