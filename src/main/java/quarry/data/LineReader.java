package quarry.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a UTF-8 byte stream into physical lines and decodes each on its own. Splitting on the
 * byte {@code \n} before decoding is safe in UTF-8 (no multi-byte sequence contains it) and lets a
 * bad byte be pinned to its line, which a Reader over the whole stream cannot do.
 */
final class LineReader implements Closeable {

    /** One physical line without its terminator; {@code validUtf8} false means bytes were replaced. */
    record Line(long number, String text, boolean validUtf8) { }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    // Bad lines are still decoded, so that a CSV parser can find where the record ends.
    private final CharsetDecoder lenient = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] line = new byte[256];
    private int lineLength;
    private int position;
    private int limit;
    private long lineNumber;
    private boolean eof;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Number of physical lines returned so far. */
    long linesRead() {
        return lineNumber;
    }

    /** The next line, or null at end of input. A final line without a terminator counts. */
    Line next() throws IOException {
        lineLength = 0;
        boolean sawAnything = false;
        while (true) {
            if (position == limit) {
                if (eof || !fill()) {
                    if (!sawAnything) {
                        return null;
                    }
                    break;
                }
            }
            sawAnything = true;
            int newline = indexOfNewline();
            int end = newline < 0 ? limit : newline;
            append(position, end);
            position = newline < 0 ? limit : newline + 1;
            if (newline >= 0) {
                break;
            }
        }
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        lineNumber++;
        int start = lineNumber == 1 && startsWithBom() ? BOM.length : 0;
        return decode(start);
    }

    private Line decode(int start) {
        ByteBuffer bytes = ByteBuffer.wrap(line, start, lineLength - start);
        try {
            return new Line(lineNumber, strict.decode(bytes).toString(), true);
        } catch (CharacterCodingException e) {
            bytes.position(start);
            try {
                return new Line(lineNumber, lenient.decode(bytes).toString(), false);
            } catch (CharacterCodingException impossible) {
                throw new IllegalStateException("a REPLACE decoder reported an error", impossible);
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer);
        while (n == 0) {
            n = in.read(buffer);
        }
        if (n < 0) {
            eof = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private int indexOfNewline() {
        for (int i = position; i < limit; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(int from, int to) {
        int n = to - from;
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
        }
        System.arraycopy(buffer, from, line, lineLength, n);
        lineLength += n;
    }

    private boolean startsWithBom() {
        return lineLength >= BOM.length
                && line[0] == BOM[0] && line[1] == BOM[1] && line[2] == BOM[2];
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
