import Testing

@testable import App

/// `chunked(by:)` cuts the batches of wallet pushes, Google syncs and generated rows: every
/// element once, in order, no batch over the size.
@Suite struct ChunkedTests {
    @Test func everyElementOnceInOrderNoChunkOverTheSize() {
        for count in [0, 1, 499, 500, 501, 1_000, 1_234] {
            let elements = Array(0..<count)
            let chunks = elements.chunked(by: 500)
            #expect(chunks.flatMap { $0 } == elements, "\(count)")
            #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= 500 }, "\(count)")
            #expect(chunks.count == (count + 499) / 500, "\(count)")
        }
        #expect([1, 2, 3].chunked(by: 1) == [[1], [2], [3]])
    }
}
