package quarry.store;

import java.sql.SQLException;
import java.util.Locale;

/**
 * The database failed. {@link #kind()} says whether the cause is the machine's (no disk space, a
 * read-only or vanished file) rather than a bug, so callers can tell people what to fix.
 */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as the database's error says. */
    public enum Kind { FULL, READ_ONLY, UNAVAILABLE, OTHER }

    // SQLite's primary result codes (the low byte of an extended code).
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;

    private final Kind kind;

    public StoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
        this.kind = classify(cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The kind of fault a failure (from the database or the file system) points to. */
    public static Kind classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("no space left") || m.contains("database or disk is full")) {
                return Kind.FULL;
            }
            if (m.contains("read-only") || m.contains("readonly")) {
                return Kind.READ_ONLY;
            }
            if (t instanceof SQLException e && e.getSQLState() != null) {
                Kind k = postgres(e.getSQLState());
                if (k != Kind.OTHER) {
                    return k;
                }
            }
            if (t instanceof SQLException e) {
                switch (e.getErrorCode() & 0xff) {
                    case SQLITE_FULL:
                        return Kind.FULL;
                    case SQLITE_READONLY:
                        return Kind.READ_ONLY;
                    case SQLITE_IOERR, SQLITE_CANTOPEN:
                        return Kind.UNAVAILABLE;
                    default:
                        break;
                }
            }
        }
        return Kind.OTHER;
    }

    /** The kind of a PostgreSQL SQLSTATE: its server's disk is full, it is read-only, or it cannot be reached. */
    private static Kind postgres(String state) {
        if (state.equals("53100")) { // disk_full
            return Kind.FULL;
        }
        if (state.equals("25006")) { // read_only_sql_transaction: a standby, or default_transaction_read_only
            return Kind.READ_ONLY;
        }
        // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed, or starting
        if (state.startsWith("08") || state.startsWith("57P")) {
            return Kind.UNAVAILABLE;
        }
        return Kind.OTHER;
    }
}
