/// Why no BLAS could be used.
public enum BLASError: Error, CustomStringConvertible, Equatable {
    /// OpenBLAS could not be loaded, for the reason given.
    case libraryNotFound(String)

    public var description: String {
        switch self {
        case .libraryNotFound(let reason):
            "cannot load OpenBLAS (\(reason)); install it (Debian and Ubuntu: apt-get install libopenblas0, which scripts/bootstrap does)"
        }
    }
}
