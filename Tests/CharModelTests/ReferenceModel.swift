import Foundation

/// An independent, plain implementation of the model for the tests: loops, Float64, no BLAS, no shared code with
/// CharModel beyond the PyTorch parameter layout it is checked against.
struct ReferenceModel {
    let v: Int, e: Int, h: Int, layers: Int
    /// Named tensors in PyTorch order, Float64.
    var tensors: [String: [Double]]

    /// The PyTorch names and shapes, written out independently of `ParameterLayout`.
    static func shapes(v: Int, e: Int, h: Int, layers: Int) -> [(String, [Int])] {
        var result: [(String, [Int])] = [("embedding.weight", [v, e])]
        for k in 0..<layers {
            result += [("lstm.weight_ih_l\(k)", [4 * h, k == 0 ? e : h]), ("lstm.weight_hh_l\(k)", [4 * h, h]),
                       ("lstm.bias_ih_l\(k)", [4 * h]), ("lstm.bias_hh_l\(k)", [4 * h])]
        }
        return result + [("decoder.weight", [v, h]), ("decoder.bias", [v])]
    }

    /// Builds it from a flat Float32 parameter vector in PyTorch order.
    init(v: Int, e: Int, h: Int, layers: Int, flat: [Float]) {
        (self.v, self.e, self.h, self.layers) = (v, e, h, layers)
        var offset = 0
        var tensors: [String: [Double]] = [:]
        for (name, shape) in Self.shapes(v: v, e: e, h: h, layers: layers) {
            let count = shape.reduce(1, *)
            tensors[name] = flat[offset..<offset + count].map(Double.init)
            offset += count
        }
        precondition(offset == flat.count)
        self.tensors = tensors
    }

    struct Output {
        var loss: Double
        /// [B][S][V]
        var logits: [[[Double]]]
        /// [L][B][H]
        var finalH: [[[Double]]]
        var finalC: [[[Double]]]
    }

    /// inputs, targets: [B][S]; h0, c0: [L][B][H]; masks: [L-1][S][B][H] multipliers applied to layer k's output.
    func forward(inputs: [[Int]], targets: [[Int]], h0: [[[Double]]], c0: [[[Double]]], masks: [[[[Double]]]]?) -> Output {
        let batch = inputs.count, steps = inputs[0].count
        func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        // x[b][t] for the current layer's input
        var x: [[[Double]]] = inputs.map { row in row.map { token in Array(tensors["embedding.weight"]![token * e..<(token + 1) * e]) } }
        var finalH = h0, finalC = c0
        for k in 0..<layers {
            let inSize = k == 0 ? e : h
            let wih = tensors["lstm.weight_ih_l\(k)"]!, whh = tensors["lstm.weight_hh_l\(k)"]!
            let bih = tensors["lstm.bias_ih_l\(k)"]!, bhh = tensors["lstm.bias_hh_l\(k)"]!
            var out = Array(repeating: Array(repeating: [Double](), count: steps), count: batch)
            for b in 0..<batch {
                var hp = h0[k][b], cp = c0[k][b]
                for t in 0..<steps {
                    var a = [Double](repeating: 0, count: 4 * h)
                    for r in 0..<4 * h {
                        var s = bih[r] + bhh[r]
                        for j in 0..<inSize { s += wih[r * inSize + j] * x[b][t][j] }
                        for j in 0..<h { s += whh[r * h + j] * hp[j] }
                        a[r] = s
                    }
                    var hn = [Double](repeating: 0, count: h), cn = hn
                    for j in 0..<h {
                        let i = sigmoid(a[j]), f = sigmoid(a[h + j]), g = tanh(a[2 * h + j]), o = sigmoid(a[3 * h + j])
                        cn[j] = f * cp[j] + i * g
                        hn[j] = o * tanh(cn[j])
                    }
                    out[b][t] = hn
                    hp = hn
                    cp = cn
                }
                finalH[k][b] = hp
                finalC[k][b] = cp
            }
            if let masks, k < layers - 1 {
                for b in 0..<batch { for t in 0..<steps { for j in 0..<h { out[b][t][j] *= masks[k][t][b][j] } } }
            }
            x = out
        }
        let wd = tensors["decoder.weight"]!, bd = tensors["decoder.bias"]!
        var loss = 0.0
        var logits = Array(repeating: Array(repeating: [Double](), count: steps), count: batch)
        for b in 0..<batch {
            for t in 0..<steps {
                var z = [Double](repeating: 0, count: v)
                for r in 0..<v {
                    var s = bd[r]
                    for j in 0..<h { s += wd[r * h + j] * x[b][t][j] }
                    z[r] = s
                }
                let m = z.max()!
                let lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
                loss += lse - z[targets[b][t]]
                logits[b][t] = z
            }
        }
        return Output(loss: loss / Double(batch * steps), logits: logits, finalH: finalH, finalC: finalC)
    }
}
