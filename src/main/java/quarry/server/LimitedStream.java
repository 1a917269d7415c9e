package quarry.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** An upload stream that fails with 413 once more than {@code max} bytes have come. */
final class LimitedStream extends FilterInputStream {
    private final long max;
    private long count;

    LimitedStream(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(long n) {
        count += n;
        if (count > max) {
            throw new ApiError(413, "too_large", "the body is larger than the limit of " + max + " bytes",
                    Map.of("limitBytes", max));
        }
    }
}
