package quarry.store;

import java.util.Optional;

/**
 * Each project's latest ranking of its pool, as the server that trains it made it, for the other
 * servers on the database to hand out. The picks are a JSON text the project layer reads.
 */
public interface Rankings {

    /** A stored ranking; {@code seq} grows with every new one, so a server can tell it has it already. */
    record Stored(long seq, int labelsAt, String picks) {
    }

    /** Replaces the project's ranking. */
    void put(long projectId, int labelsAt, String picks);

    /** The number of the project's latest ranking, 0 when there is none: a cheap check before {@link #get}. */
    long seq(long projectId);

    Optional<Stored> get(long projectId);
}
