/// Reads the TLS and cluster parameters of a `redis` item (kept beside the checks so the loader
/// needs one line for them): `tls`, `caFile`, `clientCert`, `clientKey`, `serverName`, `insecure`,
/// `cluster`. Certificate parameters without `"tls": true` are an error, not silently plaintext.
extension RedisSpec {
    func withTLSAndCluster(_ p: Params) -> RedisSpec {
        var spec = self
        spec.applyTLSAndCluster(p)
        return spec
    }

    mutating func applyTLSAndCluster(_ p: Params) {
        let wantsTLS = p.bool("tls")
        var options = TLSOptions()
        options.caFile = p.file("caFile")
        options.certFile = p.file("clientCert")
        options.keyFile = p.file("clientKey")
        options.insecure = p.bool("insecure")
        serverName = p.string("serverName", required: false)
        if wantsTLS {
            tls = options
            if options.keyFile != nil, options.certFile == nil { p.problem("clientKey", "clientKey needs clientCert") }
        } else {
            for key in ["caFile", "clientCert", "clientKey", "serverName", "insecure"] where p.raw(key) != nil {
                p.problem(key, "applies to TLS connections: add \"tls\": true")
            }
        }
        cluster = p.bool("cluster")
        if cluster, role != nil { p.problem("role", "does not apply to a cluster (every master is checked); remove it") }
    }
}
