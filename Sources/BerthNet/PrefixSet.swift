/// A set of used addresses inside one pool prefix, with best-fit CIDR allocation.
///
/// The set is kept as a binary trie of aligned blocks over the pool: every
/// leaf is a maximal aligned block that is wholly free or wholly used, and
/// sibling leaves of the same kind are always merged (buddy merging). The
/// free leaves are therefore exactly the canonical CIDR decomposition of the
/// free space, and the used leaves the collapsed used prefixes, in order.
/// Each inner node records which free-block lengths occur below it (a bit
/// mask) and how many addresses below it are used, so allocation, release,
/// membership and counting all cost O(address width) — at most 33 or 129
/// node visits — whatever the number of allocations.
///
/// The method examples below continue this one (`set` before the `remove`).
///
/// ```swift
/// var set = PrefixSet(pool: try IPPrefix("10.0.0.0/16"))
/// try set.insert(try IPPrefix("10.0.0.0/24"))
/// let a = try set.allocate(length: 24)       // 10.0.1.0/24
/// try set.allocate(exact: try IPPrefix("10.0.12.0/22"))  // ok
/// try set.allocate(exact: try IPPrefix("10.0.8.0/21"))   // throws .notFree (10.0.8.0/22 in use)
/// set.contains(try IPAddress("10.0.1.7"))   // true
/// try set.remove(a)                          // release; buddies merge again
/// ```
public struct PrefixSet: Sendable, Hashable, CustomStringConvertible {
    /// The prefix every member and allocation must lie in.
    public let pool: IPPrefix
    let root: RawPrefix

    // Trie nodes, stored column-wise so that a descent touches 4 bytes per level.
    // Node 0 is the pool; children are allocated in pairs (right = left + 1).
    /// Per node: `freeLeaf`, `usedLeaf`, or (>= 0) the index of its left child.
    var link: [Int32]
    /// Free-leaf lengths present in each subtree: bit (len - 1) for 1...64, then bit (len - 65).
    var maskLo: [UInt64]
    var maskHi: [UInt64]
    /// Used addresses below each inner node (leaves derive it from their state).
    var used: [Bits128]
    /// Released child pairs, by left index, for reuse.
    var sparePairs: [Int32]

    static let freeLeaf: Int32 = -1
    static let usedLeaf: Int32 = -2

    /// An empty set over `pool`.
    ///
    /// ```swift
    /// let s = PrefixSet(pool: try IPPrefix("10.0.0.0/8"))
    /// try s.freeAddressCount().uint64Value  // 16777216
    /// ```
    public init(pool: IPPrefix) {
        self.pool = pool
        self.root = pool.raw
        let (lo, hi) = Self.leafMask(Self.freeLeaf, length: pool.length)
        self.link = [Self.freeLeaf]
        self.maskLo = [lo]
        self.maskHi = [hi]
        self.used = [.zero]
        self.sparePairs = []
    }

    /// An empty set over a whole address family (`0.0.0.0/0` or `::/0`).
    ///
    /// ```swift
    /// let s = PrefixSet(family: .v6)
    /// s.pool.description  // "::/0"
    /// ```
    public init(family: IPFamily) {
        self.init(pool: IPPrefix(unchecked: RawPrefix(start: .zero, length: 0, family: family)))
    }

    // MARK: - Validation

    private func check(_ prefix: IPPrefix) throws(IPError) -> RawPrefix {
        guard prefix.family == root.family else {
            throw IPError.familyMismatch(value: prefix.description, found: prefix.family, expected: root.family)
        }
        let raw = prefix.raw
        guard root.contains(raw) else { throw IPError.notContained(prefix, container: pool) }
        return raw
    }

    private func checkParent(_ parent: IPPrefix?) throws(IPError) -> RawPrefix {
        guard let parent else { return root }
        return try check(parent)
    }

    // MARK: - Trie helpers

    @inline(__always)
    private static func leafMask(_ state: Int32, length: Int) -> (UInt64, UInt64) {
        guard state == freeLeaf && length > 0 else { return (0, 0) }
        return length <= 64 ? (UInt64(1) << UInt64(length - 1), 0) : (0, UInt64(1) << UInt64(length - 65))
    }

    @inline(__always)
    private mutating func setLeaf(_ index: Int, _ state: Int32, length: Int) {
        let (lo, hi) = Self.leafMask(state, length: length)
        link[index] = state
        maskLo[index] = lo
        maskHi[index] = hi
        used[index] = .zero
    }

    /// Walks toward `target` until reaching its depth or a leaf above it.
    @inline(__always)
    private func locate(_ target: RawPrefix) -> (node: Int, depth: Int) {
        let width = root.width
        var node = 0
        var depth = root.length
        while depth < target.length {
            let base = link[node]
            if base < 0 { break }
            node = Int(base) + (target.start.bit(width - 1 - depth) ? 1 : 0)
            depth += 1
        }
        return (node, depth)
    }

    @inline(__always)
    private func usedBits(_ index: Int, length: Int) -> Bits128 {
        switch link[index] {
        case Self.freeLeaf: return .zero
        case Self.usedLeaf: return .power(root.width - length)
        default: return used[index]
        }
    }

    private func usedCount(_ index: Int, length: Int) -> AddressCount {
        switch link[index] {
        case Self.freeLeaf: return .zero
        case Self.usedLeaf: return .power(root.width - length)
        default: return AddressCount(bits: used[index])
        }
    }

    /// A new pair of leaves in `state` at `length`; returns the left index.
    private mutating func newPair(_ state: Int32, length: Int) -> Int32 {
        let base: Int
        if let spare = sparePairs.popLast() {
            base = Int(spare)
        } else {
            base = link.count
            link.append(contentsOf: [0, 0])
            maskLo.append(contentsOf: [0, 0])
            maskHi.append(contentsOf: [0, 0])
            used.append(contentsOf: [.zero, .zero])
        }
        setLeaf(base, state, length: length)
        setLeaf(base + 1, state, length: length)
        return Int32(base)
    }

    /// Returns the pair at `base` and everything below it to the spare list.
    private mutating func releasePairs(from base: Int32) {
        var stack: [Int32] = [base]
        while let pair = stack.popLast() {
            sparePairs.append(pair)
            let l = link[Int(pair)]
            let r = link[Int(pair) + 1]
            if l >= 0 { stack.append(l) }
            if r >= 0 { stack.append(r) }
        }
    }

    /// Marks the aligned block `target` (inside the pool) as `state`; returns whether anything changed.
    private mutating func assign(_ target: RawPrefix, state: Int32) -> Bool {
        let width = root.width
        var path: [Int] = []
        path.reserveCapacity(target.length - root.length)
        var node = 0
        var depth = root.length
        while depth < target.length {
            var base = link[node]
            if base < 0 {
                if base == state { return false }
                base = newPair(base, length: depth + 1)
                link[node] = base
            }
            path.append(node)
            node = Int(base) + (target.start.bit(width - 1 - depth) ? 1 : 0)
            depth += 1
        }
        let current = link[node]
        if current == state { return false }
        if current >= 0 { releasePairs(from: current) }
        setLeaf(node, state, length: target.length)
        var childLength = target.length
        for parent in path.reversed() {
            let base = Int(link[parent])
            let l = link[base]
            let r = link[base + 1]
            if l < 0 && l == r {
                sparePairs.append(Int32(base))
                setLeaf(parent, l, length: childLength - 1)
            } else {
                maskLo[parent] = maskLo[base] | maskLo[base + 1]
                maskHi[parent] = maskHi[base] | maskHi[base + 1]
                used[parent] = usedBits(base, length: childLength) &+ usedBits(base + 1, length: childLength)
            }
            childLength -= 1
        }
        return true
    }

    /// Visits leaves below `index` (block `start`/`length`) in address order.
    private func forEachLeaf(
        from index: Int, start: Bits128, length: Int, _ body: (Bits128, Int, Int32) -> Void
    ) {
        var stack: [(Int, Bits128, Int)] = [(index, start, length)]
        let width = root.width
        while let (current, s, len) = stack.popLast() {
            let base = link[current]
            if base >= 0 {
                stack.append((Int(base) + 1, s | Bits128.power(width - len - 1), len + 1))
                stack.append((Int(base), s, len + 1))
            } else {
                body(s, len, base)
            }
        }
    }

    /// Visits the leaves covering `area`: one leaf above or at it, or the leaves of its subtree.
    private func forEachLeaf(in area: RawPrefix, _ body: (Bits128, Int, Int32) -> Void) {
        let (node, depth) = locate(area)
        if depth < area.length {
            body(area.start, area.length, link[node])
        } else {
            forEachLeaf(from: node, start: area.start, length: area.length, body)
        }
    }

    @inline(__always)
    private func hasFreeLength(_ index: Int, _ length: Int) -> Bool {
        length <= 64 ? (maskLo[index] >> UInt64(length - 1)) & 1 == 1 : (maskHi[index] >> UInt64(length - 65)) & 1 == 1
    }

    /// Follows free-leaf length `length` from inner node `start` down to the lowest such leaf.
    private func descend(from start: Int, blockStart: Bits128, depth startDepth: Int, toLength length: Int) -> Bits128 {
        var node = start
        var blockStart = blockStart
        var depth = startDepth
        let width = root.width
        while link[node] >= 0 {
            let base = Int(link[node])
            if hasFreeLength(base, length) {
                node = base
            } else {
                node = base + 1
                blockStart = blockStart | Bits128.power(width - depth - 1)
            }
            depth += 1
        }
        return blockStart
    }

    // MARK: - Queries

    /// Whether `address` is in the set (false for other families and outside the pool).
    ///
    /// ```swift
    /// set.contains(try IPAddress("10.0.1.7"))  // true
    /// ```
    public func contains(_ address: IPAddress) -> Bool {
        guard address.family == root.family, root.contains(address.bits) else { return false }
        let bits = address.bits
        let width = root.width
        var state = link[0]
        var depth = root.length
        while state >= 0 {
            state = link[Int(state) + (bits.bit(width - 1 - depth) ? 1 : 0)]
            depth += 1
        }
        return state == Self.usedLeaf
    }

    /// Whether every address of `prefix` is in the set.
    ///
    /// ```swift
    /// set.contains(try IPPrefix("10.0.0.0/23"))  // true
    /// set.contains(try IPPrefix("10.0.0.0/22"))  // false
    /// ```
    public func contains(_ prefix: IPPrefix) -> Bool {
        guard prefix.family == root.family, root.contains(prefix.raw) else { return false }
        let (node, _) = locate(prefix.raw)
        return link[node] == Self.usedLeaf
    }

    /// Whether any address of `prefix` is in the set.
    ///
    /// ```swift
    /// set.overlaps(try IPPrefix("10.0.0.0/22"))  // true
    /// ```
    public func overlaps(_ prefix: IPPrefix) -> Bool {
        guard prefix.family == root.family else { return false }
        let raw = prefix.raw
        if raw.contains(root) { return link[0] != Self.freeLeaf }
        guard root.contains(raw) else { return false }
        let (node, _) = locate(raw)
        return link[node] != Self.freeLeaf
    }

    /// True when nothing is used.
    ///
    /// ```swift
    /// PrefixSet(family: .v4).isEmpty  // true
    /// ```
    public var isEmpty: Bool { link[0] == Self.freeLeaf }

    /// The used space as the minimal sorted list of prefixes (like Python's `collapse_addresses`).
    ///
    /// ```swift
    /// set.prefixes.map(\.description)  // ["10.0.0.0/23", "10.0.8.0/22"]
    /// ```
    public var prefixes: [IPPrefix] {
        var out: [IPPrefix] = []
        forEachLeaf(from: 0, start: root.start, length: root.length) { start, length, state in
            if state == Self.usedLeaf {
                out.append(IPPrefix(unchecked: RawPrefix(start: start, length: length, family: root.family)))
            }
        }
        return out
    }

    /// The free space inside `parent` (default: the pool) as maximal aligned blocks, in address order.
    ///
    /// ```swift
    /// try set.freeBlocks(in: try IPPrefix("10.0.0.0/22")).map(\.description)  // ["10.0.2.0/23"]
    /// ```
    public func freeBlocks(in parent: IPPrefix? = nil) throws(IPError) -> [IPPrefix] {
        let area = try checkParent(parent)
        var out: [IPPrefix] = []
        forEachLeaf(in: area) { start, length, state in
            if state == Self.freeLeaf {
                out.append(IPPrefix(unchecked: RawPrefix(start: start, length: length, family: root.family)))
            }
        }
        return out
    }

    /// Number of free aligned blocks per prefix length inside `parent` (default: the pool).
    ///
    /// ```swift
    /// try set.freeCountByLength()  // [17: 1, 18: 1, 19: 1, 20: 1, 22: 2, 23: 1]
    /// ```
    public func freeCountByLength(in parent: IPPrefix? = nil) throws(IPError) -> [Int: Int] {
        let area = try checkParent(parent)
        var out: [Int: Int] = [:]
        forEachLeaf(in: area) { _, length, state in
            if state == Self.freeLeaf { out[length, default: 0] += 1 }
        }
        return out
    }

    /// The largest free aligned block inside `parent` (lowest address on ties), or nil when full.
    ///
    /// ```swift
    /// try set.largestFreeBlock()?.description  // "10.0.128.0/17"
    /// ```
    public func largestFreeBlock(in parent: IPPrefix? = nil) throws(IPError) -> IPPrefix? {
        let area = try checkParent(parent)
        let (node, depth) = locate(area)
        let state = link[node]
        if depth < area.length || state < 0 {
            return state == Self.freeLeaf ? IPPrefix(unchecked: area) : nil
        }
        let lo = maskLo[node]
        let length = lo != 0 ? lo.trailingZeroBitCount + 1 : maskHi[node].trailingZeroBitCount + 65
        let start = descend(from: node, blockStart: area.start, depth: area.length, toLength: length)
        return IPPrefix(unchecked: RawPrefix(start: start, length: length, family: root.family))
    }

    /// Number of used addresses inside `parent` (default: the pool).
    ///
    /// ```swift
    /// try set.usedAddressCount().uint64Value  // 1536
    /// ```
    public func usedAddressCount(in parent: IPPrefix? = nil) throws(IPError) -> AddressCount {
        let area = try checkParent(parent)
        let (node, depth) = locate(area)
        if depth < area.length {
            return link[node] == Self.usedLeaf ? area.addressCount : .zero
        }
        return usedCount(node, length: area.length)
    }

    /// Number of free addresses inside `parent` (default: the pool).
    ///
    /// ```swift
    /// try set.freeAddressCount().uint64Value  // 64000
    /// ```
    public func freeAddressCount(in parent: IPPrefix? = nil) throws(IPError) -> AddressCount {
        let area = try checkParent(parent)
        return area.addressCount - (try usedAddressCount(in: parent))
    }

    /// Used addresses divided by all addresses of `parent` (default: the pool), 0...1.
    ///
    /// ```swift
    /// try set.utilization()  // 0.0234375
    /// ```
    public func utilization(in parent: IPPrefix? = nil) throws(IPError) -> Double {
        let area = try checkParent(parent)
        return (try usedAddressCount(in: parent)).doubleValue / area.addressCount.doubleValue
    }

    /// Fragmentation of the free space in `parent` (default: the pool), 0...1:
    /// `1 - largestFreeBlock / totalFree`, counted in addresses; 0 when nothing
    /// or a single aligned block is free, near 1 when the free space is scattered in small pieces.
    ///
    /// ```swift
    /// try set.fragmentation()  // 0.488 (1 - 32768 / 64000)
    /// ```
    public func fragmentation(in parent: IPPrefix? = nil) throws(IPError) -> Double {
        let total = try freeAddressCount(in: parent)
        guard total != .zero, let largest = try largestFreeBlock(in: parent) else { return 0 }
        return 1 - largest.addressCount.doubleValue / total.doubleValue
    }

    /// Where `allocate(length:in:)` would put a `/length`, without changing the set: the lowest
    /// `/length` of the smallest free aligned block that can hold it (lowest address on ties).
    ///
    /// ```swift
    /// try set.bestFit(length: 24)?.description  // "10.0.2.0/24" (from the free /23)
    /// ```
    public func bestFit(length: Int, in parent: IPPrefix? = nil) throws(IPError) -> IPPrefix? {
        let area = try checkParent(parent)
        return try fit(length: length, in: area).map(IPPrefix.init(unchecked:))
    }

    private func fit(length: Int, in area: RawPrefix) throws(IPError) -> RawPrefix? {
        guard length >= area.length && length <= area.width else {
            throw IPError.prefixLengthOutOfRange(
                length: String(length), allowed: area.length...area.width, context: "allocation in \(area.text)")
        }
        let (node, depth) = locate(area)
        let state = link[node]
        if depth < area.length || state < 0 {
            return state == Self.freeLeaf ? RawPrefix(start: area.start, length: length, family: area.family) : nil
        }
        // Keep only free lengths <= length (blocks at least as large as the request).
        var lo = maskLo[node]
        var hi = maskHi[node]
        if length < 64 {
            lo &= (UInt64(1) << UInt64(length)) &- 1
            hi = 0
        } else if length < 128 {
            hi &= (UInt64(1) << UInt64(length - 64)) &- 1
        }
        let best: Int
        if hi != 0 {
            best = 64 + (64 - hi.leadingZeroBitCount)
        } else if lo != 0 {
            best = 64 - lo.leadingZeroBitCount
        } else {
            return nil
        }
        let start = descend(from: node, blockStart: area.start, depth: area.length, toLength: best)
        return RawPrefix(start: start, length: length, family: area.family)
    }

    // MARK: - Mutation

    /// Marks every address of `prefix` used (parts may already be used). Returns whether anything changed.
    ///
    /// ```swift
    /// try set.insert(try IPPrefix("10.0.0.0/24"))  // false: already used
    /// ```
    @discardableResult
    public mutating func insert(_ prefix: IPPrefix) throws(IPError) -> Bool {
        assign(try check(prefix), state: Self.usedLeaf)
    }

    /// Marks every address of `prefix` free (releases it); free buddies merge. Returns whether anything changed.
    ///
    /// ```swift
    /// try set.remove(try IPPrefix("10.0.0.0/24"))  // true
    /// ```
    @discardableResult
    public mutating func remove(_ prefix: IPPrefix) throws(IPError) -> Bool {
        assign(try check(prefix), state: Self.freeLeaf)
    }

    /// Reserves `prefix` (for example infrastructure ranges): same as `insert`, never fails on overlap.
    ///
    /// ```swift
    /// try set.reserve(try IPPrefix("10.255.0.0/16"))
    /// ```
    @discardableResult
    public mutating func reserve(_ prefix: IPPrefix) throws(IPError) -> Bool {
        try insert(prefix)
    }

    /// Allocates exactly `prefix`; throws `.notFree` naming a used block if any part is taken.
    ///
    /// ```swift
    /// try set.allocate(exact: try IPPrefix("10.0.12.0/22"))  // ok
    /// try set.allocate(exact: try IPPrefix("10.0.8.0/21"))   // throws .notFree (10.0.8.0/22 in use)
    /// ```
    public mutating func allocate(exact prefix: IPPrefix) throws(IPError) {
        let raw = try check(prefix)
        let (node, depth) = locate(raw)
        let state = link[node]
        if state == Self.usedLeaf {
            let holder = depth < raw.length ? raw.truncated(to: depth) : raw
            throw IPError.notFree(prefix, inUse: IPPrefix(unchecked: holder))
        }
        if state >= 0 {
            // Report the lowest used block inside the request.
            var current = node
            var start = raw.start
            var length = raw.length
            while link[current] >= 0 {
                let base = Int(link[current])
                if link[base] != Self.freeLeaf {
                    current = base
                } else {
                    current = base + 1
                    start = start | Bits128.power(root.width - length - 1)
                }
                length += 1
            }
            throw IPError.notFree(prefix, inUse: IPPrefix(unchecked: RawPrefix(start: start, length: length, family: root.family)))
        }
        _ = assign(raw, state: Self.usedLeaf)
    }

    /// Allocates a `/length` inside `parent` (default: the pool) by best fit and returns it.
    /// Throws `.poolExhausted` (with free total and largest free block) when nothing fits.
    ///
    /// ```swift
    /// try set.allocate(length: 24).description  // "10.0.2.0/24"
    /// ```
    public mutating func allocate(length: Int, in parent: IPPrefix? = nil) throws(IPError) -> IPPrefix {
        let area = try checkParent(parent)
        guard let block = try fit(length: length, in: area) else {
            throw IPError.poolExhausted(
                length: length,
                pool: IPPrefix(unchecked: area),
                freeTotal: try freeAddressCount(in: parent),
                largestFree: try largestFreeBlock(in: parent))
        }
        _ = assign(block, state: Self.usedLeaf)
        return IPPrefix(unchecked: block)
    }

    // MARK: - Hashable, description

    private var usedLeaves: [RawPrefix] {
        var out: [RawPrefix] = []
        forEachLeaf(from: 0, start: root.start, length: root.length) { start, length, state in
            if state == Self.usedLeaf { out.append(RawPrefix(start: start, length: length, family: root.family)) }
        }
        return out
    }

    /// Sets are equal when they have the same pool and the same used addresses.
    public static func == (a: PrefixSet, b: PrefixSet) -> Bool {
        a.pool == b.pool && a.usedLeaves == b.usedLeaves
    }

    /// Hashes the pool and the used addresses.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(pool)
        hasher.combine(usedLeaves)
    }

    /// `PrefixSet(pool: …, used: […])`, listing at most 8 used prefixes.
    ///
    /// ```swift
    /// PrefixSet(family: .v4).description  // "PrefixSet(pool: 0.0.0.0/0, used: [])"
    /// ```
    public var description: String {
        let used = usedLeaves
        var items = used.prefix(8).map(\.text)
        if used.count > 8 { items.append("… \(used.count - 8) more") }
        return "PrefixSet(pool: \(pool), used: [\(items.joined(separator: ", "))])"
    }
}
