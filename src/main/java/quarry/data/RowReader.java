package quarry.data;

import java.io.Closeable;
import java.io.IOException;

/** Turns a file of one format into {@link RawRow}s, so that the checks are written once. */
interface RowReader extends Closeable {

    /** The next data row, or null at end of file. Blank lines are not rows. */
    RawRow next() throws IOException;

    /** Physical lines read so far. */
    long linesRead();
}
