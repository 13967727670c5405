import CharModel

/// Readies BLAS for a command that runs one stream, a grapheme at a time (sample, predict, keyboard,
/// eval --keyboard): one thread. Such a stream's matrix-vector products are too small to share between cores, and
/// OpenBLAS's extra threads only spin; on a busy machine they wait for each other (a keystroke's p99 went from
/// 9 ms to 300 ms with two threads while another program compiled).
func prepareForOneStream() {
    setBLASThreads(1)
}
