package quarry.encode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One pass over an embedding cache's index file: the header, then every complete record, keeping
 * the last record per key (a re-embedded text is appended, so the later record supersedes).
 *
 * <p>The file is read in 1 MiB chunks: a million records load in a couple of dozen reads.
 * Records that point outside the vectors file are dropped here and counted, so the caller can
 * rewrite the index without them.
 */
record CacheIndexScan(
        CacheHeader header,
        int headerLength,
        Map<CacheKey, CacheSlot> slots,
        long recordCount,
        int partialBytes,
        long droppedRecords,
        long maxKeptRow,
        long maxReferencedRow) {

    /** Bytes per record: 16-byte key, int row, int CRC32 of the row's bytes. */
    static final int RECORD_BYTES = CacheKey.BYTES + Integer.BYTES + Integer.BYTES;

    private static final int READ_CHUNK_BYTES = 1 << 20;

    static {
        // The first chunk must hold any valid header, which is parsed straight from it.
        if (READ_CHUNK_BYTES < CacheHeader.MAX_BYTES) {
            throw new AssertionError("read chunk smaller than the largest header");
        }
    }

    /**
     * Scans {@code indexFile}. When the stored header differs from {@code expected} the records
     * are not read at all (they describe another encoder's vectors) and {@code slots} is empty.
     *
     * @param availableRows whole rows present in the vectors file; records at or past it are dropped
     */
    static CacheIndexScan read(Path indexFile, CacheHeader expected, long availableRows)
            throws IOException, CacheHeader.Malformed {
        try (FileChannel channel = FileChannel.open(indexFile, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, READ_CHUNK_BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long filePosition = fill(channel, buffer, 0);
            CacheHeader header = CacheHeader.decode(buffer);
            int headerLength = buffer.position();
            if (!header.equals(expected)) {
                return new CacheIndexScan(header, headerLength, Map.of(), 0, 0, 0, -1, -1);
            }

            long recordCount = (size - headerLength) / RECORD_BYTES;
            int partialBytes = (int) ((size - headerLength) % RECORD_BYTES);
            // Presize so a million entries load without rehashing.
            Map<CacheKey, CacheSlot> slots = new HashMap<>((int) Math.min(recordCount * 4 / 3 + 1, 1 << 30));
            long dropped = 0;
            long maxKeptRow = -1;
            long maxReferencedRow = -1;
            for (long i = 0; i < recordCount; i++) {
                if (buffer.remaining() < RECORD_BYTES) {
                    buffer.compact();
                    filePosition += fill(channel, buffer, filePosition);
                }
                CacheKey key = CacheKey.readFrom(buffer);
                int row = buffer.getInt();
                int crc = buffer.getInt();
                maxReferencedRow = Math.max(maxReferencedRow, row);
                if (row < 0 || row >= availableRows) {
                    // The latest word on this key is unusable, so forget older records of it too.
                    slots.remove(key);
                    dropped++;
                } else {
                    slots.put(key, new CacheSlot(row, crc));
                    maxKeptRow = Math.max(maxKeptRow, row);
                }
            }
            return new CacheIndexScan(header, headerLength, slots, recordCount, partialBytes, dropped,
                    maxKeptRow, maxReferencedRow);
        }
    }

    /** Reads from {@code position} until {@code buffer} is full or the file ends, then flips it. */
    private static long fill(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long read = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        buffer.flip();
        return read;
    }
}
