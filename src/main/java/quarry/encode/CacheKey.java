package quarry.encode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Identity of a text in the embedding cache: the first 16 bytes of the SHA-256 of its UTF-8 form.
 *
 * <p>128 bits make an accidental collision negligible even across billions of texts, while a key
 * stays two longs (no byte[] per entry on the heap). The two longs are the digest bytes read
 * little-endian, so writing them into a little-endian buffer reproduces the digest bytes exactly.
 */
record CacheKey(long low, long high) {

    /** Bytes a key takes on disk. */
    static final int BYTES = 16;

    // MessageDigest is not thread-safe and getInstance() does a provider lookup on every call;
    // one instance per thread keeps hashing off the cache's lock and cheap.
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    static CacheKey of(String text) {
        byte[] digest = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.wrap(digest).order(ByteOrder.LITTLE_ENDIAN);
        return new CacheKey(bytes.getLong(), bytes.getLong());
    }

    /** Reads a key from a little-endian buffer. */
    static CacheKey readFrom(ByteBuffer buffer) {
        return new CacheKey(buffer.getLong(), buffer.getLong());
    }

    /** Writes the key into a little-endian buffer. */
    void writeTo(ByteBuffer buffer) {
        buffer.putLong(low).putLong(high);
    }
}
