import Foundation

/// UTC ISO 8601 timestamps for reports and folder names, formatted without locale dependence.
public enum Timestamp {
    public static func iso8601(_ date: Date, fractional: Bool = false) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        let base = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                          Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if !fractional { return base + "Z" }
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        return base + String(format: ".%03dZ", millis)
    }

    /// `20261125T155222Z`: sortable and safe in folder names.
    public static func compact(_ date: Date) -> String {
        iso8601(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}
