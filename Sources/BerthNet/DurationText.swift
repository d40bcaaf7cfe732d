/// The one parser for written durations, shared by the spec (`SpecDuration`: `30d`, one unit)
/// and the IP ledger's flags (`--lease 1h30m`, `--quarantine 1y`): a number and a unit, or
/// several, largest unit first, each unit at most once.
///
/// Units: `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks, `y` years of 365 days.
///
/// ```swift
/// try DurationText.parse("1h30m", rules: .ledger)  // 5400
/// try DurationText.parse("30d", rules: .spec)      // 2_592_000
/// ```
public enum DurationText {
    /// What a caller accepts.
    public struct Rules: Sendable, Hashable {
        /// The units allowed, largest first (a subset of `y w d h m s`).
        public var units: [Character]
        /// More than one number-and-unit part (`1h30m`).
        public var compound: Bool
        /// `0` (alone) means no time.
        public var allowZero: Bool
        /// The longest accepted, in seconds.
        public var maxSeconds: Int64

        /// Rules from their four parts (`spec` and `ledger` are the two berth uses).
        ///
        /// ```swift
        /// let minutes = DurationText.Rules(units: ["h", "m"], compound: true, allowZero: false, maxSeconds: 86_400)
        /// try DurationText.parse("1h30m", rules: minutes)  // 5400
        /// ```
        public init(units: [Character], compound: Bool, allowZero: Bool, maxSeconds: Int64) {
            self.units = units
            self.compound = compound
            self.allowZero = allowZero
            self.maxSeconds = maxSeconds
        }

        /// Spec durations: one part, units m h d w y, greater than zero.
        public static let spec = Rules(
            units: ["y", "w", "d", "h", "m"], compound: false, allowZero: false, maxSeconds: Int64(Int32.max) * 1000)
        /// Ledger flags: parts largest first, units s m h d w y, `0` allowed, at most 100 years.
        public static let ledger = Rules(
            units: ["y", "w", "d", "h", "m", "s"], compound: true, allowZero: true, maxSeconds: 100 * 365 * 86_400)

        /// `s, m, h, d, w or y`, smallest first.
        public var unitList: String {
            let names = units.reversed().map(String.init)
            guard names.count > 1 else { return names.first ?? "" }
            return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        }
    }

    /// Why a duration was refused; `description` is the sentence for the user.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// No text (`""`).
        case empty
        /// A leading minus (`-5m`).
        case negative
        /// A number at the end without a unit (`90`).
        case missingUnit
        /// A unit without a number before it (`h`).
        case missingNumber(unit: Character)
        /// A unit outside the rules' `units` (`5x`); `allowed` is their `unitList`.
        case unknownUnit(Character, allowed: String)
        /// The same unit twice (`1h2h`).
        case repeatedUnit(Character)
        /// A larger unit after a smaller one (`30m1h`).
        case unitOrder(Character, after: Character)
        /// Several parts where the rules allow one (`1h30m` in the spec).
        case notCompound
        /// `0` where the rules do not allow it.
        case zero
        /// Over the rules' `maxSeconds`; `max` is that limit as written text.
        case tooLong(max: String)

        /// The sentence for the user, completing "the duration '...' ".
        ///
        /// ```swift
        /// DurationText.Problem.repeatedUnit("h").description  // "repeats the unit 'h'; write each unit once"
        /// ```
        public var description: String {
            switch self {
            case .empty: "is empty"
            case .negative: "is negative; durations are zero or more"
            case .missingUnit: "has a number without a unit"
            case .missingNumber(let u): "has a unit '\(u)' without a number"
            case .unknownUnit(let u, let allowed): "has an unknown unit '\(u)' (use \(allowed))"
            case .repeatedUnit(let u): "repeats the unit '\(u)'; write each unit once"
            case .unitOrder(let u, let after): "has '\(u)' after '\(after)'; write the largest unit first"
            case .notCompound: "has more than one part; write one number and one unit"
            case .zero: "is zero; it must be greater than zero"
            case .tooLong(let max): "is longer than the maximum \(max)"
            }
        }
    }

    static func seconds(_ unit: Character) -> Int64? {
        switch unit {
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86_400
        case "w": 7 * 86_400
        case "y": 365 * 86_400
        default: nil
        }
    }

    /// The duration in seconds, or the `Problem`.
    public static func parse(_ text: String, rules: Rules) throws(Problem) -> Int64 {
        if text.isEmpty { throw .empty }
        if text.hasPrefix("-") { throw .negative }
        if text.allSatisfy({ $0 == "0" }) {
            if rules.allowZero { return 0 }
            throw .zero
        }
        var total: Int64 = 0
        var number: Int64? = nil
        var overflow = false
        var seen: [Character] = []
        for ch in text {
            if let d = ch.asciiValue, d >= 48, d <= 57 {
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (v, o2) = m.addingReportingOverflow(Int64(d - 48))
                if o1 || o2 { overflow = true }
                number = overflow ? Int64.max : v
                continue
            }
            guard rules.units.contains(ch), let per = seconds(ch) else {
                throw .unknownUnit(ch, allowed: rules.unitList)
            }
            guard let n = number else { throw .missingNumber(unit: ch) }
            if seen.contains(ch) { throw .repeatedUnit(ch) }
            if let last = seen.last, let i = rules.units.firstIndex(of: ch), let j = rules.units.firstIndex(of: last), i < j {
                throw .unitOrder(ch, after: last)
            }
            if !seen.isEmpty && !rules.compound { throw .notCompound }
            seen.append(ch)
            let (part, o1) = n.multipliedReportingOverflow(by: per)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 || overflow { overflow = true } else { total = sum }
            number = nil
        }
        if number != nil { throw .missingUnit }
        if overflow || total > rules.maxSeconds { throw .tooLong(max: format(rules.maxSeconds)) }
        if total == 0 && !rules.allowZero { throw .zero }
        return total
    }

    /// `1h30m`, `45s`, `0s`, `1y2d`: largest units first.
    public static func format(_ seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var s = seconds
        var out = ""
        for unit: Character in ["y", "d", "h", "m", "s"] {
            guard let per = Self.seconds(unit), s >= per else { continue }
            out += "\(s / per)\(unit)"
            s %= per
        }
        return out
    }
}
