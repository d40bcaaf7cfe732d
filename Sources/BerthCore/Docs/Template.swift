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
