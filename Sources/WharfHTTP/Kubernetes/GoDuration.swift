/// A duration in Go's `time.ParseDuration` syntax, such as `8s`, `1m30s`, `1.5h` or `300ms` (kubectl sends its
/// `--request-timeout` so, as the `timeout` parameter): an optional sign, then one or more decimal numbers, each
/// with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`).
///
/// As in Go, a duration is an `Int64` of nanoseconds, and text whose value does not fit (about 292 years) is refused
/// rather than wrapped or trapped on.
struct GoDuration: Equatable {
    var nanoseconds: Int64

    /// `nil` unless `text` is a valid Go duration within `Int64` nanoseconds.
    init?(_ text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        var negative = false
        if let sign = scalars.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        if scalars.elementsEqual("0".unicodeScalars) { self.nanoseconds = 0; return }
        guard !scalars.isEmpty else { return nil }
        var total: Int64 = 0
        while !scalars.isEmpty {
            let whole = scalars.prefix(while: Self.isDigit)
            scalars = scalars.dropFirst(whole.count)
            var fraction = Substring.UnicodeScalarView()[...]
            if scalars.first == "." {
                scalars = scalars.dropFirst()
                fraction = scalars.prefix(while: Self.isDigit)
                scalars = scalars.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { return nil }
            let unitText = String(String.UnicodeScalarView(scalars.prefix { !Self.isDigit($0) && $0 != "." }))
            scalars = scalars.dropFirst(unitText.unicodeScalars.count)
            guard let unit = Self.units[unitText] else { return nil }
            guard let value = Self.component(whole: whole, fraction: fraction, unit: unit) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { return nil }
            total = sum
        }
        self.nanoseconds = negative ? -total : total
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// Whole seconds, rounded toward zero.
    var seconds: Int64 { nanoseconds / 1_000_000_000 }

    private static let units: [String: Int64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60 * 1_000_000_000, "h": 3600 * 1_000_000_000,
    ]

    /// `whole.fraction` times `unit` nanoseconds, or `nil` when it does not fit in an `Int64`.
    private static func component(whole: Substring.UnicodeScalarView.SubSequence, fraction: Substring.UnicodeScalarView.SubSequence,
                                  unit: Int64) -> Int64? {
        var value: Int64 = 0
        for digit in whole {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflowPlus) = times.addingReportingOverflow(Int64(digit.value - 48))
            guard !overflowTimes, !overflowPlus else { return nil }
            value = plus
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        // Digits past the nanosecond cannot change the result; Go ignores them too.
        var part = 0.0, scale = 1.0
        for digit in fraction.prefix(18) {
            part = part * 10 + Double(digit.value - 48)
            scale *= 10
        }
        let (sum, overflowSum) = scaled.addingReportingOverflow(Int64(part * (Double(unit) / scale)))
        return overflowSum ? nil : sum
    }
}
