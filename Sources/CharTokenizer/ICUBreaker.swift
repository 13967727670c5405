import CICU
import Foundation

/// One ICU break iterator, reused across calls and guarded by a lock, because ICU iterators are not thread-safe
/// and opening one costs far more than segmenting a short string.
final class ICUBreaker: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = NSLock()

    init(kind: cicu_break_kind) throws(TokenizerError) {
        var status: Int32 = 0
        guard let handle = cicu_breaker_open(kind, &status), status <= 0 else {
            throw .icuFailure(operation: "opening a break iterator", errorName: ICUBreaker.errorName(status))
        }
        self.handle = handle
    }

    deinit {
        cicu_breaker_close(handle)
    }

    static func errorName(_ code: Int32) -> String {
        String(cString: cicu_error_name(code))
    }

    /// Runs `body` with exclusive use of the iterator pointed at `text`; ICU offsets are then byte offsets into `text`.
    func withText<R>(_ text: UnsafeBufferPointer<UInt8>, _ body: (Session) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        var status: Int32 = 0
        cicu_breaker_set_text(handle, text.baseAddress, Int64(text.count), &status)
        precondition(status <= 0, "ICU rejected a text of \(text.count) bytes: \(ICUBreaker.errorName(status))")
        return try body(Session(handle: handle))
    }

    /// The iterator while a text is set on it.
    struct Session {
        fileprivate let handle: OpaquePointer

        /// The first boundary after `offset`, or nil at the end of the text.
        @inline(__always)
        func following(_ offset: Int) -> Int? {
            let boundary = cicu_breaker_following(handle, Int64(offset))
            return boundary < 0 ? nil : Int(boundary)
        }

        /// The boundary after the last one returned, or nil at the end of the text.
        @inline(__always)
        func next() -> Int? {
            let boundary = cicu_breaker_next(handle)
            return boundary < 0 ? nil : Int(boundary)
        }

        /// ICU's rule status of the segment ending at the last boundary returned.
        var ruleStatus: Int32 { cicu_breaker_rule_status(handle) }
    }
}
