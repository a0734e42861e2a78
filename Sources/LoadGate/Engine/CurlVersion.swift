import CCurl

/// libcurl process-wide setup (curl_global_init, once, before any thread starts) and its version.
public enum CurlVersion {
    public static func initialize() {
        _ = lg_global_init()
    }

    public static var description: String { String(cString: curl_version()) }
}
