extension Array {
    /// Consecutive slices of at most `size` elements, in order (none for an empty array): the
    /// batches of an `IN (…)` list or a multi-row `INSERT`, kept under the engines' limits on
    /// bound values.
    func chunked(by size: Int) -> [[Element]] {
        precondition(size > 0, "a chunk holds at least one element")
        return stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
