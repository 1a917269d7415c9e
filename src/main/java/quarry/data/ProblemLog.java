package quarry.data;

import java.util.ArrayList;
import java.util.List;

/** Collects problems in file order, keeping the first {@code limit} and counting the rest. */
final class ProblemLog {

    private final int limit;
    private final List<ImportProblem> kept = new ArrayList<>();
    private long total;

    ProblemLog(int limit) {
        this.limit = limit;
    }

    void add(ImportProblem problem) {
        total++;
        if (kept.size() < limit) {
            kept.add(problem);
        }
    }

    List<ImportProblem> kept() {
        return List.copyOf(kept);
    }

    long total() {
        return total;
    }
}
