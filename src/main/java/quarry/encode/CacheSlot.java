package quarry.encode;

/**
 * Where a cached vector lives: its row in the vectors file and the CRC32 of that row's bytes, so
 * that a damaged row is detected on read instead of being served as a wrong vector.
 */
record CacheSlot(int row, int crc) {
}
