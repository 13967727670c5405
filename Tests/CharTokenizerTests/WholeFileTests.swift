import Foundation
import Testing
@testable import CharTokenizer

@Suite struct WholeFileTests {
    @Test("a regular file is read whole: empty, small, and larger than the 1 MiB chunk")
    func readsFiles() throws {
        let directory = try CorpusReaderTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for count in [0, 1, 4096, (1 << 20) + 3] {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }
            let file = directory.appendingPathComponent("f\(count).bin")
            try CorpusReaderTests.write(bytes, to: file)
            #expect(try WholeFile.read(path: file.path) == bytes)
        }
    }

    @Test("a pipe has no size to go by: it is read in chunks up to its end")
    func readsPipes() throws {
        let bytes = (0..<(2 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let pipe = Pipe()
        let writer = Thread {
            pipe.fileHandleForWriting.write(Data(bytes))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let read = try WholeFile.read(descriptor: pipe.fileHandleForReading.fileDescriptor)
        #expect(read == bytes)
    }

    @Test("failures carry the system's reason")
    func failures() throws {
        let directory = try CorpusReaderTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: WholeFile.Failure(reason: "No such file or directory")) {
            try WholeFile.read(path: directory.appendingPathComponent("missing").path)
        }
        #expect(throws: WholeFile.Failure(reason: "Is a directory")) { try WholeFile.read(path: directory.path) }
        #expect(throws: WholeFile.Failure(reason: "Bad file descriptor")) { try WholeFile.read(descriptor: -1) }
    }
}
