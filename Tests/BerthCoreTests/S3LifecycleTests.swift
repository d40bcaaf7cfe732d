import Foundation
import Testing

@testable import BerthCore

/// The one S3 lifecycle rule both shapes write (the S3 API's `buckets/*.lifecycle.json` and the
/// provider's Bucket in `infra/buckets/`); the goldens hold each shape, this holds the rule.
@Suite("S3 lifecycle rule")
struct S3LifecycleTests {
    static func bucket(_ fields: String) throws -> Bucket {
        let text = DataTests.withData.replacingOccurrences(
            of: "    versioning: true\n    encryption: kms\n    lifecycle: [ { after: 90d, transition: archive } ]\n", with: fields)
        return try #require(try DataTests.spec(text).buckets.first { $0.name == "backups" })
    }

    @Test("transitions by age with their storage classes, the earliest expiry, non-current versions only with versioning")
    func days() throws {
        let b = try Self.bucket(
            "    versioning: false\n    encryption: kms\n    lifecycle: [ { after: 400d, expire: true }, { after: 90d, transition: archive },"
                + " { after: 365d, expire: true }, { after: 30d, transition: infrequent-access } ]\n")
        let days = Renderer.S3LifecycleDays(b)
        #expect(days.transitions.map(\.days) == [30, 90])
        #expect(days.transitions.map(\.storageClass) == ["STANDARD_IA", "GLACIER"])
        #expect(days.expiration == 365)
        #expect(days.noncurrentVersions == nil)
        #expect(days.abortUploads == max(1, b.abortUploadsAfter.days))
        let versioned = Renderer.S3LifecycleDays(try Self.bucket("    versioning: true\n    encryption: kms\n"))
        #expect(versioned.transitions.isEmpty && versioned.expiration == nil)
        #expect(versioned.noncurrentVersions == max(1, try Self.bucket("    versioning: true\n    encryption: kms\n").noncurrentAfter.days))
    }
}
