/// The tool's version, reported by `loadgate version`, in User-Agent and in every summary.
public enum LoadGateVersion {
    public static let current = "0.1.0"
    public static let name = "loadgate"
}
