#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import CharModelFile
import TestSupport

@Suite struct DurableFileTests {
    private struct ProducerFailed: Error, Equatable {}

    private let previous: [UInt8] = Array("the previous checkpoint\n".utf8)

    @Test func replacesTheTargetAndLeavesNoTemporaryFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("state.bin")
            try DurableFile.write(previous, to: url)
            #expect(try DurableFile.read(from: url) == previous)
            let next = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try DurableFile.write(to: url) { sink in
                try sink.write(Array(next[..<10]))
                try next[10...].withUnsafeBytes { try sink.write($0) }
            }
            #expect(try DurableFile.read(from: url) == next)
            #expect(try contents(of: directory) == ["state.bin"])
        }
    }

    @Test func aMissingFolderIsReportedWithTheSystemReason() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("missing/state.bin")
            let error = DurableFileError.cannotCreateTemporary(
                path: url.path, temporary: directory.path + "/missing/.state.bin.tmp-\(getpid())",
                reason: "No such file or directory")
            #expect(throws: error) { try DurableFile.write(previous, to: url) }
            #expect(
                error.description
                    == "cannot save \(url.path): cannot create temporary file \(directory.path)/missing/.state.bin.tmp-\(getpid()): No such file or directory; check that the folder exists and is writable")
            let remaining = try contents(of: directory)
            #expect(remaining.isEmpty)
        }
    }

    @Test func aFailedRenameRemovesTheTemporaryFileAndKeepsWhatWasThere() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("state.bin")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            let inner = url.appendingPathComponent("inner")
            try DurableFile.write(previous, to: inner)
            #expect(throws: DurableFileError.cannotReplace(
                path: url.path, temporary: directory.path + "/.state.bin.tmp-\(getpid())", reason: "Is a directory")
            ) {
                try DurableFile.write(Array("new".utf8), to: url)
            }
            #expect(try contents(of: directory) == ["state.bin"])
            #expect(try contents(of: url) == ["inner"])
            #expect(try DurableFile.read(from: inner) == previous)
        }
    }

    @Test func aFailingProducerRemovesTheTemporaryFileAndKeepsThePreviousFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("state.bin")
            try DurableFile.write(previous, to: url)
            #expect(throws: ProducerFailed()) {
                try DurableFile.write(to: url) { sink in
                    try sink.write(Array(repeating: 0xAB, count: 4096))
                    throw ProducerFailed()
                }
            }
            #expect(try DurableFile.read(from: url) == previous)
            #expect(try contents(of: directory) == ["state.bin"])
        }
    }

    /// Permission bits do not stop root, so this case only runs for other users.
    @Test(.enabled(if: geteuid() != 0, "root ignores a folder's permission bits"))
    func aReadOnlyFolderKeepsThePreviousFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("state.bin")
            try DurableFile.write(previous, to: url)
            #expect(chmod(directory.path, 0o555) == 0)
            #expect(throws: DurableFileError.cannotCreateTemporary(
                path: url.path, temporary: directory.path + "/.state.bin.tmp-\(getpid())", reason: "Permission denied")
            ) {
                try DurableFile.write(Array("new".utf8), to: url)
            }
            #expect(try DurableFile.read(from: url) == previous)
            #expect(try contents(of: directory) == ["state.bin"])
        }
    }

    @Test func readingAMissingFileNamesIt() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("absent.bin")
            let error = DurableFileError.cannotRead(path: url.path, reason: "No such file or directory")
            #expect(throws: error) { try DurableFile.read(from: url) }
            #expect(error.description == "cannot read \(url.path): No such file or directory")
        }
    }

    @Test func aPathRelativeToTheWorkingDirectoryIsShownAsGiven() throws {
        let url = URL(fileURLWithPath: "no-such-folder-\(getpid())/state.bin")
        #expect(throws: DurableFileError.cannotRead(path: "no-such-folder-\(getpid())/state.bin", reason: "No such file or directory")) {
            try DurableFile.read(from: url)
        }
    }

    @Test func aPathRelativeToAnotherFolderIsResolvedAgainstIt() throws {
        try withTemporaryDirectory { directory in
            let url = URL(fileURLWithPath: "sub/state.bin", relativeTo: directory)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: false)
            try DurableFile.write(previous, to: url)
            #expect(try DurableFile.read(from: directory.appendingPathComponent("sub/state.bin")) == previous)
            #expect(DurableFile.path(of: url) == directory.path + "/sub/state.bin")
        }
    }
}
