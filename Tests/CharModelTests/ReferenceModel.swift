import Foundation

/// An independent, plain implementation of the model for the tests, forward and backward: loops, Float64, no BLAS,
/// no shared code with CharModel beyond the PyTorch parameter layout it is checked against.
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

    /// What `gradients` needs of a forward, per layer k, stream b and step t.
    private struct Trace {
        /// [L][B][S]: the layer's input x_t (the embedding, or the layer below's output after its mask).
        var inputs: [[[[Double]]]] = []
        /// [L][B][S]: h_{t-1} and c_{t-1}.
        var hPrev: [[[[Double]]]] = []
        var cPrev: [[[[Double]]]] = []
        /// [L][B][S]: the activated gates i, f, g, o ([4H]) and tanh(c_t).
        var gates: [[[[Double]]]] = []
        var tanhC: [[[[Double]]]] = []
        /// [B][S]: the decoder's input and the softmax of the logits.
        var top: [[[Double]]] = []
        var probabilities: [[[Double]]] = []
    }

    /// inputs, targets: [B][S]; h0, c0: [L][B][H]; masks: [L-1][S][B][H] multipliers applied to layer k's output,
    /// or [L][S][B][H] with output dropout (the last one applied to the top layer's output, before the decoder).
    func forward(inputs: [[Int]], targets: [[Int]], h0: [[[Double]]], c0: [[[Double]]], masks: [[[[Double]]]]?) -> Output {
        run(inputs: inputs, targets: targets, h0: h0, c0: c0, masks: masks, keepTrace: false).output
    }

    private func run(inputs: [[Int]], targets: [[Int]], h0: [[[Double]]], c0: [[[Double]]], masks: [[[[Double]]]]?,
                     keepTrace: Bool) -> (output: Output, trace: Trace) {
        let batch = inputs.count, steps = inputs[0].count
        var trace = Trace()
        func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        // x[b][t] for the current layer's input
        var x: [[[Double]]] = inputs.map { row in row.map { token in Array(tensors["embedding.weight"]![token * e..<(token + 1) * e]) } }
        var finalH = h0, finalC = c0
        let perStep = Array(repeating: Array(repeating: [Double](), count: steps), count: batch)
        for k in 0..<layers {
            let inSize = k == 0 ? e : h
            let wih = tensors["lstm.weight_ih_l\(k)"]!, whh = tensors["lstm.weight_hh_l\(k)"]!
            let bih = tensors["lstm.bias_ih_l\(k)"]!, bhh = tensors["lstm.bias_hh_l\(k)"]!
            var out = perStep, hPrev = perStep, cPrev = perStep, gates = perStep, tanhC = perStep
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
                    var hn = [Double](repeating: 0, count: h), cn = hn, act = a, tc = hn
                    for j in 0..<h {
                        let i = sigmoid(a[j]), f = sigmoid(a[h + j]), g = tanh(a[2 * h + j]), o = sigmoid(a[3 * h + j])
                        cn[j] = f * cp[j] + i * g
                        hn[j] = o * tanh(cn[j])
                        (act[j], act[h + j], act[2 * h + j], act[3 * h + j], tc[j]) = (i, f, g, o, tanh(cn[j]))
                    }
                    (hPrev[b][t], cPrev[b][t], gates[b][t], tanhC[b][t]) = (hp, cp, act, tc)
                    out[b][t] = hn
                    hp = hn
                    cp = cn
                }
                finalH[k][b] = hp
                finalC[k][b] = cp
            }
            if let masks, k < masks.count {
                for b in 0..<batch { for t in 0..<steps { for j in 0..<h { out[b][t][j] *= masks[k][t][b][j] } } }
            }
            if keepTrace {
                trace.inputs.append(x)
                trace.hPrev.append(hPrev)
                trace.cPrev.append(cPrev)
                trace.gates.append(gates)
                trace.tanhC.append(tanhC)
            }
            x = out
        }
        let wd = tensors["decoder.weight"]!, bd = tensors["decoder.bias"]!
        var loss = 0.0
        var logits = perStep, probabilities = perStep
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
                probabilities[b][t] = z.map { exp($0 - lse) }
            }
        }
        if keepTrace { (trace.top, trace.probabilities) = (x, probabilities) }
        return (Output(loss: loss / Double(batch * steps), logits: logits, finalH: finalH, finalC: finalC), trace)
    }

    struct Gradients {
        /// The loss gradient of every parameter, flat in PyTorch order (as the model's `gradients`).
        var flat: [Double]
        /// [L][B][H]: the loss gradient of h0 and c0.
        var h0: [[[Double]]]
        var c0: [[[Double]]]
    }

    /// The loss gradient of every parameter and of the initial state, by backpropagation through time written out
    /// in loops over the forward's trace (checked against central differences of `forward` by the tests).
    func gradients(inputs: [[Int]], targets: [[Int]], h0: [[[Double]]], c0: [[[Double]]], masks: [[[[Double]]]]?) -> Gradients {
        let batch = inputs.count, steps = inputs[0].count
        let trace = run(inputs: inputs, targets: targets, h0: h0, c0: c0, masks: masks, keepTrace: true).trace
        var d = tensors.mapValues { [Double](repeating: 0, count: $0.count) }
        var dh0 = h0, dc0 = c0
        // Mean cross-entropy: dz = (softmax(z) - onehot(target)) / (B*S).
        let wd = tensors["decoder.weight"]!
        let scale = 1 / Double(batch * steps)
        var dx = Array(repeating: Array(repeating: [Double](repeating: 0, count: h), count: steps), count: batch)
        for b in 0..<batch {
            for t in 0..<steps {
                var dz = trace.probabilities[b][t].map { $0 * scale }
                dz[targets[b][t]] -= scale
                for r in 0..<v {
                    d["decoder.bias"]![r] += dz[r]
                    for j in 0..<h {
                        d["decoder.weight"]![r * h + j] += dz[r] * trace.top[b][t][j]
                        dx[b][t][j] += dz[r] * wd[r * h + j]
                    }
                }
            }
        }
        for k in stride(from: layers - 1, through: 0, by: -1) {
            // dx is the gradient of layer k's output after its mask: through the mask to h_t.
            if let masks, k < masks.count {
                for b in 0..<batch { for t in 0..<steps { for j in 0..<h { dx[b][t][j] *= masks[k][t][b][j] } } }
            }
            let inSize = k == 0 ? e : h
            let wih = tensors["lstm.weight_ih_l\(k)"]!, whh = tensors["lstm.weight_hh_l\(k)"]!
            var dWih = d["lstm.weight_ih_l\(k)"]!, dWhh = d["lstm.weight_hh_l\(k)"]!, dBias = [Double](repeating: 0, count: 4 * h)
            var dInput = Array(repeating: Array(repeating: [Double](repeating: 0, count: inSize), count: steps), count: batch)
            for b in 0..<batch {
                var dhNext = [Double](repeating: 0, count: h), dcNext = dhNext
                for t in stride(from: steps - 1, through: 0, by: -1) {
                    let gates = trace.gates[k][b][t], tc = trace.tanhC[k][b][t], cp = trace.cPrev[k][b][t]
                    var da = [Double](repeating: 0, count: 4 * h)
                    for j in 0..<h {
                        let (i, f, g, o) = (gates[j], gates[h + j], gates[2 * h + j], gates[3 * h + j])
                        let dh = dx[b][t][j] + dhNext[j]
                        let dc = dcNext[j] + dh * o * (1 - tc[j] * tc[j])
                        da[j] = dc * g * i * (1 - i)
                        da[h + j] = dc * cp[j] * f * (1 - f)
                        da[2 * h + j] = dc * i * (1 - g * g)
                        da[3 * h + j] = dh * tc[j] * o * (1 - o)
                        dcNext[j] = dc * f
                    }
                    let xt = trace.inputs[k][b][t], hp = trace.hPrev[k][b][t]
                    dhNext = [Double](repeating: 0, count: h)
                    for r in 0..<4 * h {
                        dBias[r] += da[r]
                        for j in 0..<inSize {
                            dWih[r * inSize + j] += da[r] * xt[j]
                            dInput[b][t][j] += da[r] * wih[r * inSize + j]
                        }
                        for j in 0..<h {
                            dWhh[r * h + j] += da[r] * hp[j]
                            dhNext[j] += da[r] * whh[r * h + j]
                        }
                    }
                }
                dh0[k][b] = dhNext
                dc0[k][b] = dcNext
            }
            d["lstm.weight_ih_l\(k)"] = dWih
            d["lstm.weight_hh_l\(k)"] = dWhh
            d["lstm.bias_ih_l\(k)"] = dBias
            d["lstm.bias_hh_l\(k)"] = dBias
            dx = dInput
        }
        for b in 0..<batch {
            for t in 0..<steps {
                for j in 0..<e { d["embedding.weight"]![inputs[b][t] * e + j] += dx[b][t][j] }
            }
        }
        let flat = Self.shapes(v: v, e: e, h: h, layers: layers).flatMap { d[$0.0]! }
        return Gradients(flat: flat, h0: dh0, c0: dc0)
    }
}
