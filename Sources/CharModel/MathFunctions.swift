#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The libm functions the model needs, under names that do not clash with Swift's generic math.
@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func _exp(_ x: Float) -> Float { expf(x) }
@inline(__always) func _tanh(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func _logf(_ x: Float) -> Float { logf(x) }
