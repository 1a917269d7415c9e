package quarry.bench;

import java.io.IOException;
import java.nio.file.Path;

/** Temporary folders the benchmarks make, and remove again. */
final class Folders {

    private Folders() {
    }

    /** Deletes {@code dir} and everything in it; nothing when it does not exist. */
    static void deleteTree(Path dir) throws IOException {
        quarry.core.Trees.delete(dir);
    }
}
