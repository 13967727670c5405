// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "charnn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "charnn", targets: ["charnn"]),
        .library(name: "CharTokenizer", targets: ["CharTokenizer"]),
        .library(name: "CharModel", targets: ["CharModel"]),
        .library(name: "CharModelFile", targets: ["CharModelFile"]),
        .library(name: "CharTraining", targets: ["CharTraining"]),
        .library(name: "CharInference", targets: ["CharInference"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
    ],
    targets: [
        // ICU's headers and libraries, found through pkg-config (Homebrew's keg-only icu4c on macOS).
        .systemLibrary(
            name: "CICUSystem",
            pkgConfig: "icu-uc",
            providers: [.apt(["libicu-dev"]), .brew(["icu4c"])]
        ),
        // The C shim over ICU: ICU's symbols carry a version suffix, so Swift calls these unversioned wrappers.
        .target(name: "CICU", dependencies: ["CICUSystem"]),
        // OpenBLAS, loaded at run time so that its kernels can be chosen from the CPU's features (Accelerate on Apple platforms).
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // Open MPI, loaded at run time only when mpirun started the process, so that nothing else needs it.
        .target(name: "CMPI", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // CPUID (x86-64) and the OS's hardware capabilities (AArch64).
        .target(name: "CCPUFeatures"),
        // The per-step recurrent products' kernels, one per vector extension, chosen at run time.
        .target(name: "CKernels"),
        .target(name: "CharTokenizer", dependencies: ["CICU"]),
        .target(
            name: "CharModel",
            dependencies: ["CCPUFeatures", "CKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        // Model files: safetensors, durable writes, the checksum, and the model (tensors, vocabulary, configuration).
        .target(name: "CharModelFile", dependencies: ["CharModel", "CharTokenizer"]),
        .target(name: "CharTraining", dependencies: ["CharModel", "CharTokenizer", "CharModelFile", "CMPI"]),
        // What an app that samples or predicts imports; it re-exports the model, tokenizer and model-file modules.
        .target(name: "CharInference", dependencies: ["CharModel", "CharTokenizer", "CharModelFile"]),
        // `charnn serve`: the HTTP API and the page, on Hummingbird. swift-log, ServiceLifecycle (for a bounded graceful
        // shutdown) and NIOPosix (its thread pool runs model work) are Hummingbird's own dependencies.
        .target(
            name: "CharServe",
            dependencies: [
                "CharInference",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "charnn",
            dependencies: [
                "CharTokenizer", "CharModel", "CharModelFile", "CharTraining", "CharInference", "CharServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CharTokenizerTests", dependencies: ["CharTokenizer"]),
        .testTarget(name: "CharModelTests", dependencies: ["CharModel"]),
        // The README's library examples, compiled and run by charnnTests.
        .executableTarget(name: "PredictExample", dependencies: ["CharInference"], path: "Examples/PredictExample"),
        .executableTarget(name: "SampleExample", dependencies: ["CharInference"], path: "Examples/SampleExample"),
        .executableTarget(name: "TrainExample", dependencies: ["CharTraining"], path: "Examples/TrainExample"),
        .executableTarget(name: "StreamExample", dependencies: ["CharInference"], path: "Examples/StreamExample"),
        // Helpers every test target may use.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CharModelFileTests", dependencies: ["CharModelFile", "TestSupport"]),
        .testTarget(name: "CharTrainingTests", dependencies: ["CharTraining", "TestSupport"]),
        .testTarget(name: "CharInferenceTests", dependencies: ["CharInference"]),
        .testTarget(name: "CharServeTests", dependencies: ["CharServe", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "charnnTests", dependencies: ["charnn", "CharModelFile", "CharTraining", "TestSupport"]),
    ]
)
