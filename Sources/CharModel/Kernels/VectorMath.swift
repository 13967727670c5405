/// exp, sigmoid and tanh on whole vectors of Float32, for the LSTM cell and the softmax.
///
/// libm's expf and tanhf are scalar calls (tanhf goes through expm1f), and they were a third of a training step at
/// H=128. These work on `FloatVector.scalarCount` values at once in plain vector arithmetic that the compiler maps
/// onto the SIMD registers of whatever target it builds for.
///
/// Accuracy, checked against Float64 libm over a dense range in `VectorMathTests`: a few units in the last place
/// (under 3e-7 relative) wherever the result is a normal Float.
/// Special values: exp(x) is +∞ above 88.73 and 0 below -103.98 (denormals in between, as libm),
/// sigmoid and tanh saturate to their limits for any magnitude including ±∞, and a NaN input gives NaN.
typealias FloatVector = SIMD16<Float>

enum VectorMath {
    /// e^x.
    ///
    /// Range reduction x = n ln2 + r with |r| <= ln2/2 (ln2 split in two, Cody and Waite, so n ln2 is exact), then
    /// e^r from Cephes' degree-7 polynomial and a scale by 2^n. 2^n is applied as two factors so that the denormal
    /// results of x in [-103.98, -87.3] and the overflow above 88.73 come out as libm's.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        // Beyond these the result is 0 or ∞ anyway; clamping keeps n within the two factors' exponent range.
        // Comparisons with NaN are false, so a NaN passes through to the arithmetic and stays NaN.
        var x = x.replacing(with: 89, where: x .> 89)
        x = x.replacing(with: -104, where: x .< -104)
        // Adding 1.5 * 2^23 rounds x/ln2 to the nearest integer n and leaves n in the low bits of the mantissa.
        let shifter: Float = 0x1.8p23
        let shifted = x * 1.44269504088896341 + shifter
        let n = shifted - shifter
        let r = x - n * 0.693359375 - n * -2.12194440e-4
        var p = FloatVector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let expR = p * (r * r) + r + 1
        let k = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(FloatVector(repeating: shifter), to: SIMD16<Int32>.self)
        let k1 = k &>> 1
        let k2 = k &- k1
        return expR * powerOfTwo(k1) * powerOfTwo(k2)
    }

    /// 1 / (1 + e^-x), as e^-|x| / (1 + e^-|x|) on the negative side so that it never overflows and keeps its
    /// relative accuracy down to the smallest results.
    @inline(__always)
    static func sigmoid(_ x: FloatVector) -> FloatVector {
        let e = exp(-magnitude(x))
        let s = 1 / (1 + e)
        return s.replacing(with: e * s, where: x .< 0)
    }

    /// tanh(x): (1 - e^-2|x|) / (1 + e^-2|x|) with x's sign, except near 0 where that subtraction would cancel:
    /// there, Cephes' odd polynomial for |x| < 0.625.
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector {
        let a = magnitude(x)
        let z = x * x
        var p = FloatVector(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let nearZero = p * z * x + x
        let t = exp(-2 * a)
        let away = withSign(of: x, (1 - t) / (1 + t))
        return away.replacing(with: nearZero, where: a .< 0.625)
    }

    /// 2^k for k in [-126, 127], built directly as the exponent field.
    @inline(__always)
    private static func powerOfTwo(_ k: SIMD16<Int32>) -> FloatVector {
        unsafeBitCast((k &+ 127) &<< 23, to: FloatVector.self)
    }

    private static let signBit = SIMD16<UInt32>(repeating: 0x8000_0000)

    @inline(__always)
    private static func magnitude(_ x: FloatVector) -> FloatVector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & ~signBit, to: FloatVector.self)
    }

    /// `value`, which must be non-negative, with the sign of `x`.
    @inline(__always)
    private static func withSign(of x: FloatVector, _ value: FloatVector) -> FloatVector {
        unsafeBitCast(unsafeBitCast(value, to: SIMD16<UInt32>.self) | (unsafeBitCast(x, to: SIMD16<UInt32>.self) & signBit),
                      to: FloatVector.self)
    }
}

extension UnsafePointer<Float> {
    /// The `count` values from here as a vector (all of it when `count` >= its width), the rest set to `padding`:
    /// how the kernels handle a length that is not a multiple of the width without a separate scalar path.
    @inline(__always)
    func loadVector(count: Int, padding: Float = 0) -> FloatVector {
        if count >= FloatVector.scalarCount { return UnsafeRawPointer(self).loadUnaligned(as: FloatVector.self) }
        var v = FloatVector(repeating: padding)
        for i in 0..<count { v[i] = self[i] }
        return v
    }
}

extension UnsafeMutablePointer<Float> {
    /// See `UnsafePointer.loadVector`.
    @inline(__always)
    func loadVector(count: Int, padding: Float = 0) -> FloatVector { UnsafePointer(self).loadVector(count: count, padding: padding) }

    /// Stores the first `count` lanes of `v` from here (all of them when `count` >= the width).
    @inline(__always)
    func storeVector(_ v: FloatVector, count: Int) {
        if count >= FloatVector.scalarCount {
            UnsafeMutableRawPointer(self).storeBytes(of: v, as: FloatVector.self)
            return
        }
        for i in 0..<count { self[i] = v[i] }
    }
}
