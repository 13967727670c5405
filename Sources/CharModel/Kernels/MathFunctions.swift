#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The scalar libm functions the model needs (the vectorised ones are in `VectorMath`), under names that do not clash with Swift's generic math.
@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func _logf(_ x: Float) -> Float { logf(x) }
