/// HMAC-SHA256 (RFC 2104) over the plain-Swift SHA-256, for signing a bundle's manifest.
public enum HMACSHA256 {
    public static func hex(key: [UInt8], message: [UInt8]) -> String {
        var keyBlock = key.count > 64 ? SHA256.hash(key) : key
        keyBlock += [UInt8](repeating: 0, count: 64 - keyBlock.count)
        let inner = SHA256.hash(keyBlock.map { $0 ^ 0x36 } + message)
        return SHA256.hex(keyBlock.map { $0 ^ 0x5c } + inner)
    }
}
