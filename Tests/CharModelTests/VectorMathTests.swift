import Foundation
import Testing
@testable import CharModel

/// Every multiple of 2^-10 from -90 to 90 (184,321 values: past both ends of exp's range and through the switch
/// between tanh's two formulas), plus magnitudes halving down to the smallest normal, where tanh(x) ≈ x.
private let denseInputs: [Float] = {
    var values = stride(from: -90, through: 90, by: 0x1p-10).map { Float($0) }
    var tiny: Float = 0x1p-10
    while tiny >= .leastNormalMagnitude {
        values += [tiny, -tiny, tiny * 1.37, -tiny * 1.37]
        tiny /= 2
    }
    return values
}()

/// Applies `f` a vector at a time to `inputs`, through the same tail handling as the kernels.
private func vectorised(_ inputs: [Float], _ f: (FloatVector) -> FloatVector) -> [Float] {
    var out = [Float](repeating: 0, count: inputs.count)
    inputs.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for v in stride(from: 0, to: inputs.count, by: FloatVector.scalarCount) {
                let count = inputs.count - v
                (dst.baseAddress! + v).storeVector(f((src.baseAddress! + v).loadVector(count: count)), count: count)
            }
        }
    }
    return out
}

/// The largest error relative to the Float64 reference over results that are normal Floats, the largest absolute
/// error over denormal or zero results (which carry fewer bits by nature), and whether every result too large for a
/// Float came out as ∞.
private func errors(_ got: [Float], _ inputs: [Float], reference: (Double) -> Double)
    -> (relative: Double, absolute: Double, overflowsToInfinity: Bool) {
    var relative = 0.0, absolute = 0.0, overflowsToInfinity = true
    for (y, x) in zip(got, inputs) {
        let expected = reference(Double(x))
        if abs(expected) > Double(Float.greatestFiniteMagnitude) {
            overflowsToInfinity = overflowsToInfinity && y == .infinity
        } else if abs(expected) >= Double(Float.leastNormalMagnitude) {
            relative = max(relative, abs(Double(y) - expected) / abs(expected))
        } else {
            absolute = max(absolute, abs(Double(y) - expected))
        }
    }
    return (relative, absolute, overflowsToInfinity)
}

@Suite("Vectorised exp, sigmoid and tanh against Float64 libm")
struct VectorMathTests {
    @Test("exp is within 3e-7 relative wherever e^x is a normal Float")
    func expAccuracy() {
        let (relative, absolute, overflowsToInfinity) = errors(vectorised(denseInputs, VectorMath.exp), denseInputs, reference: Foundation.exp)
        #expect(relative < 3e-7, "max relative error \(relative)")
        #expect(overflowsToInfinity)
        #expect(absolute < 1e-38, "max absolute error among denormal results \(absolute)")
    }

    @Test("sigmoid is within 3e-7 relative, down to its smallest normal results")
    func sigmoidAccuracy() {
        let (relative, absolute, _) = errors(vectorised(denseInputs, VectorMath.sigmoid), denseInputs) { 1 / (1 + Foundation.exp(-$0)) }
        #expect(relative < 3e-7, "max relative error \(relative)")
        #expect(absolute < 1e-38, "max absolute error among denormal results \(absolute)")
    }

    @Test("tanh is within 3e-7 relative, including near zero")
    func tanhAccuracy() {
        let (relative, _, _) = errors(vectorised(denseInputs, VectorMath.tanh), denseInputs, reference: Foundation.tanh)
        #expect(relative < 3e-7, "max relative error \(relative)")
    }

    @Test("exp's limits: overflow to ∞, underflow through denormals to 0, exact at 0")
    func expLimits() {
        let inputs: [Float] = [0, 88.72, 88.73, 89, 1000, .infinity, -87, -100, -103.9, -104, -1000, -.infinity]
        let got = vectorised(inputs, VectorMath.exp)
        #expect(got[0] == 1)
        #expect(got[1].isFinite && got[1] > 3.3e38)
        #expect(Array(got[2...5]) == [.infinity, .infinity, .infinity, .infinity])
        #expect(got[6].isNormal)
        #expect(got[7].isSubnormal && got[8].isSubnormal)
        #expect(Array(got[9...11]) == [0, 0, 0])
    }

    @Test("sigmoid and tanh saturate at any magnitude, and are exact at 0")
    func saturation() {
        let inputs: [Float] = [0, -0.0, 90, 1e30, .infinity, -90, -1e30, -.infinity, 20, -20]
        let s = vectorised(inputs, VectorMath.sigmoid)
        let t = vectorised(inputs, VectorMath.tanh)
        #expect(s[0] == 0.5 && s[1] == 0.5)
        #expect(Array(s[2...4]) == [1, 1, 1])
        #expect(s[5] > 0 && s[5] < 1e-38, "sigmoid(-90) = e^-90 is a denormal, got \(s[5])")
        #expect(Array(s[6...7]) == [0, 0])
        #expect(t[0] == 0 && t[1] == 0)
        #expect(Array(t[2...4]) == [1, 1, 1])
        #expect(Array(t[5...7]) == [-1, -1, -1])
        #expect(t[8] == 1 && t[9] == -1)
    }

    @Test("a NaN input gives NaN and leaves the other lanes alone")
    func nanPropagates() {
        let inputs: [Float] = [.nan, 1, -1, .nan, 0.3]
        for f in [VectorMath.exp, VectorMath.sigmoid, VectorMath.tanh] {
            let got = vectorised(inputs, f)
            #expect(got[0].isNaN && got[3].isNaN)
            #expect(!got[1].isNaN && !got[2].isNaN && !got[4].isNaN)
        }
        let got = vectorised(inputs, VectorMath.tanh)
        #expect(abs(Double(got[4]) - Foundation.tanh(0.3)) < 1e-7)
    }
}
