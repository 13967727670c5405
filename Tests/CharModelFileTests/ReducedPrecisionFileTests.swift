import CharModel
import CharTokenizer
import Foundation
import Testing
import TestSupport
@testable import CharModelFile

/// Model files with bf16 and int8 weights (`ReducedTensors`): what they store, what loading gives back, and that
/// they serve inference only.
@Suite("Reduced-precision model files")
struct ReducedPrecisionFileTests {
    static let config = ModelConfig(vocabularySize: 6, embeddingSize: 4, hiddenSize: 5, layers: 2)

    static func fp32File() throws -> ModelFile {
        let vocabulary = try Vocabulary(settings: TokenizerSettings(), graphemes: ["a", "b", "c", "d", "e"])
        return ModelFile(model: try LanguageModel(config: config, seed: 4), vocabulary: vocabulary)
    }

    @Test("a reduced file stores its matrices as BF16 or I8 with row scales and reads back the reduced values exactly",
          arguments: [WeightPrecision.bf16, .int8])
    func roundTrip(precision: WeightPrecision) throws {
        let reduced = try Self.fp32File().reduced(to: precision)
        let layout = ParameterLayout(config: Self.config)
        #expect(reduced.parameters == precision.reducedParameters(try Self.fp32File().parameters, layout: layout))
        #expect(reduced.parameters != (try Self.fp32File().parameters))
        try withTemporaryDirectory { folder in
            let url = folder.appendingPathComponent("m.safetensors")
            var measured = reduced
            measured.precisionLoss = PrecisionLoss(corpus: "c.txt", split: "test", graphemes: 10, fp32Loss: 1.5, loss: 1.515)
            try measured.write(to: url)
            let stored = try CheckpointFile.read(from: url)
            #expect(stored.metadata[ModelFile.Key.weights] == precision.rawValue)
            for spec in layout.tensors {
                let tensor = try stored.tensor(named: spec.name)
                #expect(tensor.dtype == (spec.shape.count == 1 ? .f32 : precision == .bf16 ? .bf16 : .i8), "\(spec.name)")
                #expect(tensor.shape == spec.shape)
                #expect((stored[tensor: spec.name + ".scale"] != nil) == (precision == .int8 && spec.shape.count == 2))
            }
            let read = try ModelFile.read(from: url)
            #expect(read.precision == precision)
            #expect(read.parameters == reduced.parameters)
            #expect(read.precisionLoss == measured.precisionLoss)
            #expect(abs(read.precisionLoss!.increase - 0.01) < 1e-12)
            // Reading and writing again gives the same file: w' reduces to itself.
            let again = folder.appendingPathComponent("again.safetensors")
            try read.write(to: again)
            #expect(try Data(contentsOf: again) == Data(contentsOf: url))
            // An int8 file is about a quarter of the fp32 one, a bf16 file half.
            let fp32 = folder.appendingPathComponent("fp32.safetensors")
            try Self.fp32File().write(to: fp32)
            let sizes = try [url, fp32].map { try FileManager.default.attributesOfItem(atPath: $0.path)[.size] as! Int }
            #expect(sizes[0] < sizes[1])
        }
    }

    @Test("a reduced file makes an inference model in its precision and refuses to make one to train",
          arguments: [WeightPrecision.bf16, .int8])
    func inferenceOnly(precision: WeightPrecision) throws {
        let reduced = try Self.fp32File().reduced(to: precision)
        #expect(throws: ReducedPrecisionError.training(precision: precision)) { try reduced.makeModel() }
        let model = try reduced.makeInferenceModel()
        #expect(model.weightPrecision == precision)
        #expect(model.parameters.array == reduced.parameters)
        #expect(try Self.fp32File().makeModel().weightPrecision == .fp32)
        #expect(ReducedPrecisionError.training(precision: precision).description
            == "the model holds \(precision.rawValue) weights, which are for inference only; train from the fp32 checkpoint it was exported from")
    }

    @Test("a tensor of the wrong type for the file's precision, a missing scale or an unknown precision is damage")
    func damagedFiles() throws {
        try withTemporaryDirectory { folder in
            let fp32 = try Self.fp32File()
            var metadata = try fp32.metadata()
            let url = folder.appendingPathComponent("m.safetensors")
            // F32 matrices under an int8 label.
            metadata[ModelFile.Key.weights] = "int8"
            try CheckpointFile.write(tensors: fp32.tensors(of: fp32.parameters, prefix: ""), metadata: metadata, to: url)
            #expect(throws: CheckpointError.damaged(path: url.path, problem: "tensor 'embedding.weight' is F32 [6, 4], expected I8 [6, 4] in a int8 model")) {
                try ModelFile.read(from: url)
            }
            // I8 matrices without their scales.
            let int8 = try fp32.reduced(to: .int8)
            let unscaled = try int8.tensors(of: int8.parameters, prefix: "").filter { !$0.name.hasSuffix(".scale") }
            try CheckpointFile.write(tensors: unscaled, metadata: try int8.metadata(), to: url)
            #expect(throws: CheckpointError.missingTensor(path: url.path, name: "embedding.weight.scale")) { try ModelFile.read(from: url) }
            metadata[ModelFile.Key.weights] = "fp16"
            try CheckpointFile.write(tensors: fp32.tensors(of: fp32.parameters, prefix: ""), metadata: metadata, to: url)
            #expect(throws: CheckpointError.damaged(path: url.path, problem: "its weights are 'fp16'; charnn reads bf16 and int8 besides fp32")) {
                try ModelFile.read(from: url)
            }
        }
    }

    @Test("a matrix holding NaN has no reduced form")
    func nonFiniteWeights() throws {
        var file = try Self.fp32File()
        let decoder = ParameterLayout(config: Self.config).tensor(named: "decoder.weight")!
        file.parameters[decoder.offset + 3] = .nan
        #expect(throws: ReducedPrecisionError.nonFiniteWeight(tensor: "decoder.weight")) { try file.reduced(to: .int8) }
        // A NaN in a bias, which stays fp32, is no obstacle.
        var biased = try Self.fp32File()
        biased.parameters[ParameterLayout(config: Self.config).tensor(named: "decoder.bias")!.offset] = .nan
        #expect(try biased.reduced(to: .bf16).precision == .bf16)
    }
}
