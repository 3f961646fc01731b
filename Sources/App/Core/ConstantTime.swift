/// Compares two secrets in time that depends only on their length, so that a caller cannot
/// learn a stored token or hash one byte at a time from response times.
func constantTimeEquals(_ left: String, _ right: String) -> Bool {
    let (a, b) = (Array(left.utf8), Array(right.utf8))
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
