package quarry.encode;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The header at the start of the embedding cache's index file: what produced the cached vectors.
 *
 * <p>Layout (little-endian): 8-byte magic {@code QRYEMBED}, int format version, int dimension,
 * int byte length + UTF-8 encoder id, int byte length + UTF-8 fingerprint, int CRC32 of all the
 * preceding header bytes. The checksum lets a torn or scribbled header be told apart from a
 * legitimately different encoder, so each gets its own recovery note.
 */
record CacheHeader(int dimension, String encoderId, String fingerprint) {

    static final int FORMAT_VERSION = 1;
    static final int MAX_ENCODER_ID_BYTES = 1024;
    static final int MAX_FINGERPRINT_BYTES = 64 * 1024;
    /** Upper bound on an encoded header, so a reader knows how much to read before parsing. */
    static final int MAX_BYTES = 8 + 4 + 4 + 4 + MAX_ENCODER_ID_BYTES + 4 + MAX_FINGERPRINT_BYTES + 4;

    private static final byte[] MAGIC = "QRYEMBED".getBytes(StandardCharsets.US_ASCII);

    /** A header that cannot be parsed: the index is not ours, from another version, or damaged. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    byte[] encode() {
        byte[] id = encoderId.getBytes(StandardCharsets.UTF_8);
        byte[] fp = fingerprint.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + 4 + 4 + id.length + 4 + fp.length + 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(FORMAT_VERSION).putInt(dimension);
        out.putInt(id.length).put(id).putInt(fp.length).put(fp);
        out.putInt(crcOf(out.array(), 0, out.position()));
        return out.array();
    }

    /**
     * Parses a header from the start of {@code in} (little-endian, position 0) and leaves the
     * position just after it, where the index records begin.
     */
    static CacheHeader decode(ByteBuffer in) throws Malformed {
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new Malformed("not a Quarry embedding index (bad magic)");
            }
            int version = in.getInt();
            if (version != FORMAT_VERSION) {
                throw new Malformed("unsupported format version " + version + " (this build reads "
                        + FORMAT_VERSION + ")");
            }
            int dimension = in.getInt();
            String encoderId = readString(in, MAX_ENCODER_ID_BYTES, "encoder id");
            String fingerprint = readString(in, MAX_FINGERPRINT_BYTES, "fingerprint");
            int end = in.position();
            int storedCrc = in.getInt();
            if (storedCrc != crcOf(in.array(), in.arrayOffset(), end)) {
                throw new Malformed("header checksum mismatch");
            }
            if (dimension <= 0) {
                throw new Malformed("invalid dimension " + dimension);
            }
            return new CacheHeader(dimension, encoderId, fingerprint);
        } catch (BufferUnderflowException e) {
            throw new Malformed("index ends inside its header (" + in.limit() + " bytes)");
        }
    }

    /** Describes how a stored header differs from this one, for the recovery note. */
    String differencesFrom(CacheHeader stored) {
        List<String> changes = new ArrayList<>();
        if (!stored.encoderId.equals(encoderId)) {
            changes.add("encoder id changed from '" + stored.encoderId + "' to '" + encoderId + "'");
        }
        if (!stored.fingerprint.equals(fingerprint)) {
            changes.add("fingerprint changed from '" + stored.fingerprint + "' to '" + fingerprint + "'");
        }
        if (stored.dimension != dimension) {
            changes.add("dimension changed from " + stored.dimension + " to " + dimension);
        }
        return String.join(", ", changes);
    }

    private static String readString(ByteBuffer in, int maxBytes, String what) throws Malformed {
        int length = in.getInt();
        if (length < 0 || length > maxBytes) {
            throw new Malformed("invalid " + what + " length " + length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int crcOf(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
