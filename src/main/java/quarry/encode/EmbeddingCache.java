package quarry.encode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * On-disk cache of text embeddings for one encoder, so that a pool is never embedded twice.
 *
 * <p>One directory per encoder holds two files:
 * <ul>
 *   <li>{@code vectors.f32}: little-endian float32, row-major, {@code dimension} floats per row and
 *       no header, so later code can memory-map it as a plain matrix (find rows with
 *       {@link #rowOf}; rows of forgotten entries stay in the file, unreferenced);</li>
 *   <li>{@code index.bin}: a {@link CacheHeader} (magic, format version, dimension, encoder id,
 *       fingerprint, header CRC32), then 24-byte records: 16-byte key (first half of the SHA-256
 *       of the UTF-8 text), int row, int CRC32 of the row's bytes.</li>
 * </ul>
 * Both files only grow. Each append writes the vectors first and the index records second, so a
 * crash in between leaves at most unreferenced trailing vector bytes, which the next open trims.
 * A cache written by another encoder, fingerprint or dimension, or with an unreadable header, is
 * discarded on open; every other inconsistency is repaired, and {@link #recoveryNote()} says what
 * was found and done. Rows are checked against their CRC32 on every read, so a damaged row is
 * reported as a miss (and re-embedded by the caller) rather than served.
 *
 * <p>Thread-safe: all state sits behind one lock; hashing happens outside it. A cache directory
 * is also locked against a second writer, in this process or another, because two appenders would
 * interleave rows. A second open while the lock is held is read-only ({@link #readOnly()}): it
 * serves what the writer has stored (reading the writer's new records now and then) and stores
 * nothing, so several servers on one machine can share one cache without spoiling it. Like any {@link FileChannel}, the files are closed if a thread is interrupted
 * while it reads or writes; later calls then fail until the cache is reopened.
 *
 * <p>Apart from {@link #open}, I/O failures surface as {@link UncheckedIOException}.
 */
public final class EmbeddingCache implements AutoCloseable {

    static final String VECTORS_FILE = "vectors.f32";
    static final String INDEX_FILE = "index.bin";
    private static final String LOCK_FILE = "cache.lock";
    private static final int MAX_DIMENSION = 1 << 16;
    /** Bounds one append's buffers, so putAll of a whole pool does not hold it twice in memory. */
    private static final int WRITE_CHUNK_BYTES = 8 << 20;

    private final Object lock = new Object();
    private final Path dir;
    private final String encoderId;
    private final int dimension;
    private final int rowBytes;
    private final FileChannel vectors;
    private final FileChannel index;
    private final FileChannel lockChannel;
    /** Another open holds the directory's lock: this one reads what it writes, and writes nothing. */
    private final boolean readOnly;
    private final CacheHeader header;
    /** When a read-only cache last read the writer's index again (nanoTime). */
    private long lastRefresh;
    private static final long REFRESH_NANOS = 1_000_000_000L;
    private final Map<CacheKey, CacheSlot> slots;
    /** Reused for every row read (under the lock); direct so reads and CRC32 skip a copy. */
    private final ByteBuffer rowBuffer;
    private final CRC32 crc = new CRC32();
    private final String openNote;

    private int rowCount;
    private long indexEnd;
    private long hits;
    private long misses;
    private long corruptRows;
    private boolean closed;

    private EmbeddingCache(Path dir, CacheHeader header, FileChannel vectors, FileChannel index,
            FileChannel lockChannel, Map<CacheKey, CacheSlot> slots, String openNote) throws IOException {
        this.dir = dir;
        this.header = header;
        this.readOnly = lockChannel == null;
        String encoderId = header.encoderId();
        int dimension = header.dimension();
        this.encoderId = encoderId;
        this.dimension = dimension;
        this.rowBytes = dimension * Float.BYTES;
        this.vectors = vectors;
        this.index = index;
        this.lockChannel = lockChannel;
        this.slots = slots;
        this.rowBuffer = ByteBuffer.allocateDirect(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.openNote = openNote;
        // Recovery has trimmed the vectors file to whole rows and the index to whole records.
        this.rowCount = Math.toIntExact(vectors.size() / rowBytes);
        this.indexEnd = index == null ? 0 : index.size();
    }

    /**
     * Opens (or creates) the cache in {@code dir}, repairing or discarding what it finds there.
     *
     * @param dir one directory per encoder, e.g. {@code QUARRY_HOME/cache/<encoderId>}
     * @param encoderId the encoder's id, stored in the header
     * @param fingerprint opaque identity of the exact model and settings; a change discards the cache
     * @param dimension floats per vector
     * @throws IOException if the files cannot be read or written, or the cache is already open
     */
    public static EmbeddingCache open(Path dir, String encoderId, String fingerprint, int dimension)
            throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(encoderId, "encoderId");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (encoderId.isBlank() || utf8Length(encoderId) > CacheHeader.MAX_ENCODER_ID_BYTES) {
            throw new IllegalArgumentException("encoderId must be non-blank and at most "
                    + CacheHeader.MAX_ENCODER_ID_BYTES + " UTF-8 bytes: '" + encoderId + "'");
        }
        if (utf8Length(fingerprint) > CacheHeader.MAX_FINGERPRINT_BYTES) {
            throw new IllegalArgumentException("fingerprint must be at most " + CacheHeader.MAX_FINGERPRINT_BYTES
                    + " UTF-8 bytes, got " + utf8Length(fingerprint));
        }
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException("dimension must be between 1 and " + MAX_DIMENSION + ": " + dimension);
        }
        CacheHeader expected = new CacheHeader(dimension, encoderId, fingerprint);

        Files.createDirectories(dir);
        FileChannel lockChannel = lockDirectory(dir);
        if (lockChannel == null) {
            return openReadOnly(dir, expected);
        }
        FileChannel vectors = null;
        FileChannel index = null;
        try {
            List<String> notes = new ArrayList<>();
            Map<CacheKey, CacheSlot> slots = recover(dir, expected, notes);
            vectors = FileChannel.open(dir.resolve(VECTORS_FILE), CREATE, READ, WRITE);
            index = FileChannel.open(dir.resolve(INDEX_FILE), WRITE);
            return new EmbeddingCache(dir, expected, vectors, index, lockChannel, slots,
                    notes.isEmpty() ? null : String.join("; ", notes));
        } catch (Throwable e) {
            closeAfterFailure(e, index, vectors, lockChannel);
            throw e;
        }
    }

    /**
     * The second open of a directory another open (in this process or another) writes: repairs
     * nothing, reads the index as it stands, and stores nothing. Every row is still checked
     * against its CRC32, so a record the writer is appending at this moment reads as a miss.
     */
    private static EmbeddingCache openReadOnly(Path dir, CacheHeader expected) throws IOException {
        FileChannel vectors = null;
        try {
            vectors = FileChannel.open(dir.resolve(VECTORS_FILE), CREATE, READ, WRITE);
            EmbeddingCache cache = new EmbeddingCache(dir, expected, vectors, null, null, new HashMap<>(),
                    "opened read-only: another process (or another open here) writes this cache; texts it has not"
                            + " stored are embedded here and not cached");
            cache.refresh();
            return cache;
        } catch (Throwable e) {
            closeAfterFailure(e, vectors);
            throw e;
        }
    }

    /** Whether this open only reads: another one holds the directory and writes it. */
    public boolean readOnly() {
        return readOnly;
    }

    /** A read-only cache reads the writer's index again (caller holds the lock), at most once a second. */
    private void refresh() {
        long now = System.nanoTime();
        if (!readOnly || (lastRefresh != 0 && now - lastRefresh < REFRESH_NANOS)) {
            return;
        }
        lastRefresh = now;
        Path indexFile = dir.resolve(INDEX_FILE);
        try {
            if (!Files.exists(indexFile)) {
                return;
            }
            CacheIndexScan scan = CacheIndexScan.read(indexFile, header, vectors.size() / rowBytes);
            if (scan.header().equals(header)) {
                slots.clear();
                slots.putAll(scan.slots());
            }
        } catch (CacheHeader.Malformed e) {
            // The writer is starting the file afresh; look again later.
        } catch (IOException e) {
            throw new UncheckedIOException("reading the index of embedding cache " + dir, e);
        }
    }

    /** The cached vector for {@code text}, or null when absent or its row failed its checksum. */
    public float[] get(String text) {
        Objects.requireNonNull(text, "text");
        CacheKey key = CacheKey.of(text);
        synchronized (lock) {
            ensureOpen();
            if (readOnly && !slots.containsKey(key)) {
                refresh(); // the writer may have stored it since
            }
            return lookup(key);
        }
    }

    /** Cached vectors in the order of {@code texts}, with null entries for misses. */
    public float[][] getAll(List<String> texts) {
        CacheKey[] keys = keysOf(texts);
        float[][] found = new float[keys.length][];
        synchronized (lock) {
            ensureOpen();
            if (readOnly) {
                for (CacheKey k : keys) {
                    if (!slots.containsKey(k)) {
                        refresh(); // the writer may have stored it since
                        break;
                    }
                }
            }
            for (int i = 0; i < keys.length; i++) {
                found[i] = lookup(keys[i]);
            }
        }
        return found;
    }

    /** Stores {@code vector} for {@code text} unless the text is already cached. */
    public void put(String text, float[] vector) {
        Objects.requireNonNull(text, "text");
        checkVector(vector, "vector");
        putAll(List.of(text), List.<float[]>of(vector));
    }

    /**
     * Stores each vector for the text at the same position, skipping texts already cached (and
     * repeats within the batch: the first one wins). All vectors are checked before anything is
     * written, and the new rows go to disk in one write per file (per 8 MiB).
     */
    public void putAll(List<String> texts, List<float[]> vectors) {
        Objects.requireNonNull(vectors, "vectors");
        CacheKey[] keys = keysOf(texts);
        if (vectors.size() != keys.length) {
            throw new IllegalArgumentException("texts and vectors differ in size: " + keys.length
                    + " texts, " + vectors.size() + " vectors");
        }
        for (int i = 0; i < keys.length; i++) {
            checkVector(vectors.get(i), "vectors[" + i + "]");
        }
        synchronized (lock) {
            ensureOpen();
            if (readOnly) {
                return; // the writer stores; two appenders would interleave rows
            }
            List<CacheKey> newKeys = new ArrayList<>();
            List<float[]> newRows = new ArrayList<>();
            Set<CacheKey> inBatch = new HashSet<>();
            for (int i = 0; i < keys.length; i++) {
                if (!slots.containsKey(keys[i]) && inBatch.add(keys[i])) {
                    newKeys.add(keys[i]);
                    newRows.add(vectors.get(i));
                }
            }
            int rowsPerChunk = Math.max(1, WRITE_CHUNK_BYTES / rowBytes);
            for (int from = 0; from < newKeys.size(); from += rowsPerChunk) {
                int to = Math.min(newKeys.size(), from + rowsPerChunk);
                append(newKeys.subList(from, to), newRows.subList(from, to));
            }
        }
    }

    /** The row of {@code text} in {@link #vectorsFile()}, or -1 when it is not cached. */
    public int rowOf(String text) {
        Objects.requireNonNull(text, "text");
        CacheKey key = CacheKey.of(text);
        synchronized (lock) {
            CacheSlot slot = slots.get(key);
            return slot == null ? -1 : slot.row();
        }
    }

    /** Forces everything written so far to disk. */
    public void flush() {
        synchronized (lock) {
            ensureOpen();
            if (readOnly) {
                return;
            }
            try {
                forceToDisk();
            } catch (IOException e) {
                throw new UncheckedIOException("flushing embedding cache " + dir, e);
            }
        }
    }

    /** Flushes and closes the files and releases the directory; later calls fail. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            // Closed in reverse order: the directory lock is released last.
            try (lockChannel; index; vectors) {
                if (!readOnly) {
                    forceToDisk();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("closing embedding cache " + dir, e);
            }
        }
    }

    /**
     * What was found wrong and repaired when the cache opened, plus any rows that failed their
     * checksum since; null when all was clean.
     */
    public String recoveryNote() {
        synchronized (lock) {
            if (corruptRows == 0) {
                return openNote;
            }
            String reads = corruptRows + " cached row(s) failed their CRC32 check on read: treated as misses"
                    + " and forgotten, so they are stored again when re-embedded";
            return openNote == null ? reads : openNote + "; " + reads;
        }
    }

    public long hits() {
        synchronized (lock) {
            return hits;
        }
    }

    public long misses() {
        synchronized (lock) {
            return misses;
        }
    }

    /** Number of texts cached (and not forgotten after a failed checksum). */
    public int size() {
        synchronized (lock) {
            return slots.size();
        }
    }

    public int dimension() {
        return dimension;
    }

    /** The raw float32 matrix; rows that {@link #rowOf} no longer returns are unreferenced leftovers. */
    public Path vectorsFile() {
        return dir.resolve(VECTORS_FILE);
    }

    // ---- reads and writes (callers hold the lock) ----

    private float[] lookup(CacheKey key) {
        CacheSlot slot = slots.get(key);
        if (slot == null) {
            misses++;
            return null;
        }
        rowBuffer.clear();
        long position = (long) slot.row() * rowBytes;
        try {
            while (rowBuffer.hasRemaining() && vectors.read(rowBuffer, position + rowBuffer.position()) >= 0) {
                // keep reading: a positional read may return fewer bytes than asked
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading row " + slot.row() + " of " + vectorsFile(), e);
        }
        rowBuffer.flip();
        crc.reset();
        crc.update(rowBuffer);
        if (rowBuffer.limit() != rowBytes || (int) crc.getValue() != slot.crc()) {
            // Never serve a damaged row. Forgetting the entry lets the caller's re-embedded vector
            // be appended as a new row, whose later index record supersedes this one on reopen.
            slots.remove(key);
            corruptRows++;
            misses++;
            return null;
        }
        rowBuffer.rewind();
        float[] vector = new float[dimension];
        rowBuffer.asFloatBuffer().get(vector);
        hits++;
        return vector;
    }

    private void append(List<CacheKey> keys, List<float[]> rows) {
        int n = keys.size();
        if (rowCount > Integer.MAX_VALUE - n) {
            throw new IllegalStateException("embedding cache " + dir + " is full at " + rowCount + " rows");
        }
        ByteBuffer vectorBytes = ByteBuffer.allocate(n * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer records = ByteBuffer.allocate(n * CacheIndexScan.RECORD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        CacheSlot[] written = new CacheSlot[n];
        CRC32 rowCrc = new CRC32();
        for (int i = 0; i < n; i++) {
            int start = vectorBytes.position();
            vectorBytes.asFloatBuffer().put(rows.get(i));
            rowCrc.reset();
            rowCrc.update(vectorBytes.array(), start, rowBytes);
            vectorBytes.position(start + rowBytes);
            written[i] = new CacheSlot(rowCount + i, (int) rowCrc.getValue());
            keys.get(i).writeTo(records);
            records.putInt(written[i].row()).putInt(written[i].crc());
        }
        try {
            // Vectors before index records: a crash in between leaves only unreferenced vector bytes.
            writeFully(vectors, vectorBytes.flip(), (long) rowCount * rowBytes);
            // These rows are spent from here on, even if the index write fails, so a record that
            // did reach the index can never point at a row later reused for another text.
            rowCount += n;
            writeIndexRecords(records.flip());
        } catch (IOException e) {
            throw new UncheckedIOException("appending " + n + " rows to embedding cache " + dir, e);
        }
        for (int i = 0; i < n; i++) {
            slots.put(keys.get(i), written[i]);
        }
    }

    private void writeIndexRecords(ByteBuffer records) throws IOException {
        try {
            writeFully(index, records, indexEnd);
        } catch (IOException e) {
            // Cut any partly written records, so the next append starts at a record boundary.
            try {
                index.truncate(indexEnd);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        indexEnd += records.limit();
    }

    private void forceToDisk() throws IOException {
        // Vectors first, so durable index records never refer to rows that are not yet durable.
        vectors.force(false);
        index.force(false);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("embedding cache " + dir + " is closed");
        }
    }

    private void checkVector(float[] vector, String name) {
        if (vector == null) {
            throw new NullPointerException(name + " is null");
        }
        if (vector.length != dimension) {
            throw new IllegalArgumentException(name + " has length " + vector.length + " but the cache for encoder '"
                    + encoderId + "' holds vectors of dimension " + dimension);
        }
    }

    private static CacheKey[] keysOf(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        CacheKey[] keys = new CacheKey[texts.size()];
        for (int i = 0; i < keys.length; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new NullPointerException("texts[" + i + "] is null");
            }
            keys[i] = CacheKey.of(text);
        }
        return keys;
    }

    // ---- opening and recovery ----

    /** The directory's lock, or null when another open (here or in another process) holds it. */
    private static FileChannel lockDirectory(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), CREATE, WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null; // already locked by this JVM
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (held == null) {
            channel.close();
            return null; // another open writes it
        }
        return channel;
    }

    /**
     * Brings the files in {@code dir} to a consistent state for {@code expected} and returns the
     * live entries, adding a note for everything it had to repair or discard.
     */
    private static Map<CacheKey, CacheSlot> recover(Path dir, CacheHeader expected, List<String> notes)
            throws IOException {
        Path indexFile = dir.resolve(INDEX_FILE);
        Path vectorsFile = dir.resolve(VECTORS_FILE);
        long vectorsLength = Files.exists(vectorsFile) ? Files.size(vectorsFile) : 0;
        long rowBytes = (long) expected.dimension() * Float.BYTES;

        if (!Files.exists(indexFile)) {
            if (vectorsLength > 0) {
                notes.add("found a vectors file (" + vectorsLength + " bytes) without an index: discarded it");
            }
            return startFresh(indexFile, vectorsFile, expected);
        }
        CacheIndexScan scan;
        try {
            scan = CacheIndexScan.read(indexFile, expected, vectorsLength / rowBytes);
        } catch (CacheHeader.Malformed e) {
            notes.add("index header unreadable (" + e.getMessage() + "): discarded the cache and started empty");
            return startFresh(indexFile, vectorsFile, expected);
        }
        if (!scan.header().equals(expected)) {
            notes.add(expected.differencesFrom(scan.header()) + ": discarded the cache and started empty");
            return startFresh(indexFile, vectorsFile, expected);
        }

        if (scan.partialBytes() > 0) {
            notes.add("index ended in a partial record (" + scan.partialBytes()
                    + " bytes, an interrupted write): dropped it");
        }
        if (scan.droppedRecords() > 0) {
            // Only the entries past the end are dropped, not the whole cache: the rows before the
            // cut are still checked against their CRC32 on every read.
            notes.add("vectors file is truncated (" + vectorsLength + " bytes, but the index refers to row "
                    + scan.maxReferencedRow() + "): dropped " + scan.droppedRecords()
                    + " index record(s) pointing past its end");
            // Rewrite rather than truncate: the dropped records would otherwise point at rows that
            // later appends fill with other texts' vectors.
            writeIndex(indexFile, expected, scan.slots());
        } else if (scan.partialBytes() > 0) {
            truncate(indexFile, scan.headerLength() + scan.recordCount() * CacheIndexScan.RECORD_BYTES);
        }

        long neededLength = (scan.maxKeptRow() + 1) * rowBytes;
        if (vectorsLength > neededLength) {
            notes.add("vectors file had " + (vectorsLength - neededLength)
                    + " bytes past the last indexed row (an interrupted write): removed them");
            truncate(vectorsFile, neededLength);
        }
        return scan.slots();
    }

    /** Deletes the old files and leaves an index holding only the header; returns no entries. */
    private static Map<CacheKey, CacheSlot> startFresh(Path indexFile, Path vectorsFile, CacheHeader header)
            throws IOException {
        Files.deleteIfExists(vectorsFile);
        writeIndex(indexFile, header, Map.of());
        return new HashMap<>();
    }

    /**
     * Replaces the index with {@code header} plus one record per entry, via a temporary file and a
     * rename, so a crash leaves either the old index or the new one, never half of each.
     */
    private static void writeIndex(Path indexFile, CacheHeader header, Map<CacheKey, CacheSlot> slots)
            throws IOException {
        Path temporary = indexFile.resolveSibling(indexFile.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, CREATE, WRITE, TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long position = writeFully(out, ByteBuffer.wrap(header.encode()), 0);
            for (Map.Entry<CacheKey, CacheSlot> entry : slots.entrySet()) {
                if (buffer.remaining() < CacheIndexScan.RECORD_BYTES) {
                    position += writeFully(out, buffer.flip(), position);
                    buffer.clear();
                }
                entry.getKey().writeTo(buffer);
                buffer.putInt(entry.getValue().row()).putInt(entry.getValue().crc());
            }
            writeFully(out, buffer.flip(), position);
            out.force(true);
        }
        try {
            Files.move(temporary, indexFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, indexFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, WRITE)) {
            channel.truncate(length);
            channel.force(true);
        }
    }

    /** Writes all of {@code buffer} at {@code position}; returns the number of bytes written. */
    private static long writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long written = 0;
        while (buffer.hasRemaining()) {
            written += channel.write(buffer, position + written);
        }
        return written;
    }

    private static void closeAfterFailure(Throwable failure, FileChannel... channels) {
        for (FileChannel channel : channels) {
            if (channel == null) {
                continue;
            }
            try {
                channel.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
